#!/usr/bin/env node
// run.js -- tests of the server 'etoolbox lrs', over HTTP, with Node's own
// modules only. Run by tests/lrsd/run.sh, which builds etoolbox first.
//
//   node tests/lrsd/run.js --etoolbox PATH --work DIR [--valgrind 0|1] [--sanitized 0|1]
//
// Prints TAP ("ok N - ...", "not ok N - ...", then "1..N"); details of a
// failure follow it as "#" lines. Every server listens on 127.0.0.1 on a
// free port, is started here and stopped here (by pid); every wait and
// loop is bounded in count and time.
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');
const net = require('net');
const crypto = require('crypto');
const { spawn, spawnSync } = require('child_process');

const args = process.argv.slice(2);
const opt = { etoolbox: null, work: null, valgrind: '1', sanitized: '0' };
for (let i = 0; i < args.length; i += 2) opt[args[i].replace(/^--/, '')] = args[i + 1];
const E = opt.etoolbox;
const W = opt.work;
const top = path.resolve(__dirname, '..', '..');

// ---- TAP --------------------------------------------------------------------
let n = 0, failed = 0;
function ok(cond, name, detail) {
  n++;
  if (cond) { console.log(`ok ${n} - ${name}`); return true; }
  failed++;
  console.log(`not ok ${n} - ${name}`);
  if (detail !== undefined) {
    const d = typeof detail === 'string' ? detail : JSON.stringify(detail);
    for (const line of d.split('\n').slice(0, 20)) console.log('#   ' + line.slice(0, 300));
  }
  return false;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- servers --------------------------------------------------------------------
const servers = [];
function run(argv, input) {
  const r = spawnSync(E, argv, { input, encoding: 'utf8', cwd: W });
  return { code: r.status, out: r.stdout || '', err: r.stderr || '' };
}
function addKey(db, scope, name) {
  const r = run(['lrs', 'key', 'add', '--db', db, '--scope', scope].concat(name ? ['--name', name] : []));
  if (r.code !== 0) throw new Error(`key add failed: ${r.err}`);
  return r.out.trim();
}
async function start(name, extra = [], { valgrind = false, env = {} } = {}) {
  const db = path.join(W, name + '.db');
  const ready = path.join(W, name + '.ready');
  try { fs.unlinkSync(ready); } catch (e) { /* none */ }
  let cmd = E;
  let argv = ['lrs', '--db', db, '--listen', '127.0.0.1:0', '--ready-file', ready, '-q'].concat(extra);
  if (valgrind) {
    argv = ['-q', '--error-exitcode=99', '--leak-check=full', '--errors-for-leak-kinds=definite,indirect',
      '--show-leak-kinds=definite,indirect', '--log-file=' + path.join(W, name + '.vg'), E].concat(argv);
    cmd = 'valgrind';
  }
  const log = fs.openSync(path.join(W, name + '.log'), 'a');
  const proc = spawn(cmd, argv, { stdio: ['ignore', log, log], cwd: W,
    env: Object.assign({}, process.env, env) });
  const s = { name, db, proc, exited: null };
  proc.on('exit', (code, sig) => { s.exited = { code, sig }; });
  servers.push(s);
  const limit = Date.now() + (valgrind ? 60000 : 15000);
  while (Date.now() < limit && !s.exited) {
    if (fs.existsSync(ready)) {
      const r = JSON.parse(fs.readFileSync(ready, 'utf8'));
      s.port = r.port;
      s.url = r.lrs;
      return s;
    }
    await sleep(50);
  }
  throw new Error(`the server '${name}' did not start: ${fs.readFileSync(path.join(W, name + '.log'), 'utf8')}`);
}
async function stop(s, signal = 'SIGTERM') {
  if (!s || s.exited) return s && s.exited;
  s.proc.kill(signal);
  for (let i = 0; i < 600 && !s.exited; i++) await sleep(50);
  if (!s.exited) { s.proc.kill('SIGKILL'); for (let i = 0; i < 100 && !s.exited; i++) await sleep(50); }
  return s.exited;
}

// ---- HTTP -------------------------------------------------------------------------
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
function basic(cred) { return 'Basic ' + Buffer.from(cred).toString('base64'); }
// req(server, method, resource, {auth, version, query, body, headers, raw})
function req(s, method, resource, o = {}) {
  let p = '/xAPI/' + resource;
  if (o.query) {
    const q = Object.entries(o.query).map(([k, v]) =>
      encodeURIComponent(k) + '=' + encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))).join('&');
    if (q) p += '?' + q;
  }
  if (o.path) p = o.path;
  const headers = Object.assign({}, o.headers || {});
  if (o.auth) headers.Authorization = basic(o.auth);
  if (o.version !== null) headers['X-Experience-API-Version'] = o.version !== undefined ? o.version : '1.0.3';
  let body = null;
  if (o.body !== undefined) {
    body = Buffer.isBuffer(o.body) ? o.body : Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    if (!headers['Content-Type'] && !headers['content-type']) headers['Content-Type'] = 'application/json';
    headers['Content-Length'] = body.length;
  }
  return new Promise((resolve, reject) => {
    const r = http.request({ host: '127.0.0.1', port: s.port, path: p, method, headers, agent: o.agent || agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch (e) { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, buf, json });
      });
    });
    r.setTimeout(30000, () => r.destroy(new Error('timeout')));
    r.on('error', reject);
    if (body) r.write(body);
    r.end();
  });
}
// all statements of a query, following 'more'
async function all(s, auth, query = {}) {
  let r = await req(s, 'GET', 'statements', { auth, query });
  const out = [];
  for (let i = 0; i < 1000; i++) {
    if (r.status !== 200) throw new Error(`GET statements: ${r.status} ${r.text.slice(0, 200)}`);
    out.push(...r.json.statements);
    if (!r.json.more) return out;
    r = await req(s, 'GET', null, { auth, path: r.json.more });
  }
  throw new Error('more than 1000 pages');
}

// ---- statements ----------------------------------------------------------------------
function gen(count, seed) {
  const r = spawnSync(process.execPath, [path.join(top, 'tools', 'lrs-gen.js'), '--count', String(count), '--seed', String(seed)],
    { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error('lrs-gen failed: ' + r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}
const LRS_SET = ['stored', 'authority', 'version'];
// a stored statement holds what was sent (plus what the LRS sets)
function intact(sent, stored) {
  if (!stored) return false;
  for (const k of Object.keys(sent)) {
    if (LRS_SET.includes(k)) continue;
    if (JSON.stringify(canon(sent[k])) !== JSON.stringify(canon(stored[k]))) return false;
  }
  return true;
}
function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v).sort()) o[k] = canon(v[k]);
    return o;
  }
  return v;
}
function uuid() { return crypto.randomUUID(); }
function simple(extra = {}) {
  return Object.assign({
    id: uuid(),
    actor: { objectType: 'Agent', mbox: 'mailto:learner@example.org' },
    verb: { id: 'http://adlnet.gov/expapi/verbs/completed', display: { 'en-US': 'completed' } },
    object: { objectType: 'Activity', id: 'http://example.org/course/module-1' },
    timestamp: new Date().toISOString(),
  }, extra);
}

// ---- the cases ------------------------------------------------------------------------
async function cases() {
  const db = path.join(W, 'main.db');
  // keys --------------------------------------------------------------------------
  let r = run(['lrs', 'key', 'add', '--db', db, '--scope', 'admin', '--name', 'tests']);
  const admin = r.out.trim();
  const [adminId, adminSecret] = admin.split(':');
  ok(r.code === 0 && /^et[0-9a-f]{16}:[A-Za-z0-9_-]{43}$/.test(admin) && /shown only this once/.test(r.err),
    'key add prints KEY:SECRET once on stdout, a note on stderr', r.err);
  const writer = addKey(db, 'write', 'packages');
  const reader = addKey(db, 'read', 'analysts');
  const doomed = addKey(db, 'admin', 'to revoke');
  const keysText = fs.readFileSync(path.join(W, 'main.keys'), 'utf8');
  ok(![admin, writer, reader, doomed].some((k) => keysText.includes(k.split(':')[1])) &&
     (fs.statSync(path.join(W, 'main.keys')).mode & 0o777) === 0o600,
  'the credentials file holds no secret, and only its owner can read it');
  r = run(['lrs', 'key', 'list', '--db', db]);
  ok(r.code === 0 && r.out.includes(adminId) && /write +\S+ +- +packages/.test(r.out) &&
     ![admin, writer].some((k) => r.out.includes(k.split(':')[1])), 'key list shows keys and scopes, no secrets', r.out);
  r = run(['lrs', 'key', 'add', '--db', db]);
  ok(r.code === 2 && /--scope/.test(r.err), 'key add without --scope: usage error (exit 2)', r.err);
  r = run(['lrs', 'key', 'revoke', '--db', db, 'etffffffffffffffff']);
  ok(r.code === 1 && /no active key/.test(r.err), 'key revoke of an unknown key: exit 1', r.err);

  const S = await start('main', ['--max-body', '256K']);

  // about, versions, auth ----------------------------------------------------------------
  r = await req(S, 'GET', 'about', { version: null });
  ok(r.status === 200 && r.json.version.includes('1.0.3') && r.headers['x-experience-api-version'] === '1.0.3',
    'about: 200 without a key or version header, version lists 1.0.3', r.text);
  r = await req(S, 'GET', 'statements', {});
  ok(r.status === 401 && /Basic/.test(r.headers['www-authenticate'] || ''), 'no key: 401 with a Basic challenge', r.status);
  r = await req(S, 'GET', 'statements', { auth: adminId + ':wrong' });
  ok(r.status === 401, 'a wrong secret: 401', r.status);
  r = await req(S, 'GET', 'statements', { auth: 'not-a-key' });
  ok(r.status === 401, 'credentials without a colon: 401', r.status);
  r = await req(S, 'GET', 'statements', { headers: { Authorization: 'Bearer ' + admin } });
  ok(r.status === 401, 'another auth scheme: 401', r.status);
  r = await req(S, 'GET', 'statements', { auth: admin, version: null });
  ok(r.status === 400 && /X-Experience-API-Version/.test(r.json.message), 'no version header: 400', r.text);
  for (const v of ['1.1.0', '2.0.0', '0.95', '1.0.x', '']) {
    r = await req(S, 'GET', 'statements', { auth: admin, version: v });
    ok(r.status === 400, `version header '${v}': 400`, r.status);
  }
  for (const v of ['1.0', '1.0.0', '1.0.3', '1.0.9']) {
    r = await req(S, 'GET', 'statements', { auth: admin, version: v });
    ok(r.status === 200 && r.headers['x-experience-api-version'] === '1.0.3', `version header '${v}': accepted, answered as 1.0.3`, r.status);
  }

  // writing -------------------------------------------------------------------------------
  const one = simple();
  r = await req(S, 'POST', 'statements', { auth: writer, body: one });
  ok(r.status === 200 && JSON.stringify(r.json) === JSON.stringify([one.id]), 'POST one statement: 200 and its id', r.text);
  r = await req(S, 'GET', 'statements', { auth: writer, query: { statementId: one.id } });
  ok(r.status === 403, 'a write-only key cannot read: 403', r.status);
  r = await req(S, 'POST', 'statements', { auth: reader, body: simple() });
  ok(r.status === 403, 'a read key cannot write: 403', r.status);
  r = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: one.id } });
  const got = r.json;
  ok(r.status === 200 && intact(one, got) && got.version === '1.0.0' &&
     got.authority.account.name === writer.split(':')[0] && /^20\d\d-\d\d-\d\dT[\d:.]+Z$/.test(got.stored) &&
     Math.abs(Date.parse(got.stored) - Date.now()) < 600000 &&
     r.headers['last-modified'] === new Date(got.stored).toUTCString(),
  'GET statementId: the statement as sent, with version, authority (the key) and stored; Last-Modified', r.text);
  const noid = simple();
  delete noid.id;
  delete noid.timestamp;
  r = await req(S, 'POST', 'statements', { auth: admin, body: [noid, simple(), simple()] });
  ok(r.status === 200 && r.json.length === 3 && /^[0-9a-f-]{36}$/.test(r.json[0]), 'POST an array: 200 and the ids in order; an id is made when missing', r.text);
  const made = (await req(S, 'GET', 'statements', { auth: admin, query: { statementId: r.json[0] } })).json;
  ok(made && made.timestamp === made.stored, 'a missing timestamp is set to stored', made);
  const putSt = simple();
  const putId = putSt.id;
  delete putSt.id;
  r = await req(S, 'PUT', 'statements', { auth: writer, query: { statementId: putId }, body: putSt });
  ok(r.status === 204 && r.text === '', 'PUT ?statementId=: 204 No Content', r.text);
  r = await req(S, 'PUT', 'statements', { auth: writer, body: simple() });
  ok(r.status === 400 && /statementId/.test(r.json.message), 'PUT without statementId: 400', r.text);
  r = await req(S, 'PUT', 'statements', { auth: writer, query: { statementId: uuid() }, body: simple() });
  ok(r.status === 400 && /statementId/.test(r.json.message), 'PUT with another id in the body: 400', r.text);
  r = await req(S, 'PUT', 'statements', { auth: writer, query: { statementId: putId }, body: Object.assign({ id: putId }, putSt) });
  ok(r.status === 204, 'PUT the same statement again: 204', r.status);
  r = await req(S, 'POST', 'statements', { auth: writer, body: [one, one] });
  ok(r.status === 400 && /repeats the id/.test(r.json.message), 'a batch with one id twice: 400', r.text);
  r = await req(S, 'POST', 'statements', { auth: writer, body: [simple(), one] });
  ok(r.status === 200, 'resending a stored statement, identical: 200', r.text);
  const changed = Object.assign({}, one, { verb: { id: 'http://adlnet.gov/expapi/verbs/failed' } });
  const fresh = simple();
  r = await req(S, 'POST', 'statements', { auth: writer, body: [fresh, changed] });
  ok(r.status === 409 && r.json.message.includes(one.id), 'the same id with other content: 409, naming the id', r.text);
  r = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: fresh.id } });
  ok(r.status === 404, '... and nothing of that batch is stored (all or nothing)', r.status);
  r = await req(S, 'PUT', 'statements', { auth: writer, query: { statementId: one.id }, body: changed });
  ok(r.status === 409, 'PUT of a conflicting statement: 409', r.status);
  r = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: uuid() } });
  ok(r.status === 404, 'GET an unknown statementId: 404', r.status);

  // 400s that name the field
  const invalid = [
    [simple({ actor: { mbox: 'learner@example.org' } }), "'actor.mbox'"],
    [simple({ result: { score: { scaled: 1.5 } } }), "'result.score.scaled'"],
    [simple({ verb: { id: 'completed' } }), "'verb.id'"],
    [simple({ context: { registration: 'not-a-uuid' } }), "'context.registration'"],
    [simple({ timestamp: '2024-05-01T08:00:00' }), "'timestamp'"],
    [simple({ result: { duration: '12:30' } }), "'result.duration'"],
    [simple({ extra: 1 }), "'extra'"],
    [simple({ object: { id: 'http://x.org/a', definition: { name: { 'not a tag!': 'x' } } } }), "'object.definition.name'"],
    [(() => { const s = simple(); delete s.actor; return s; })(), "'actor' is required"],
  ];
  const bad = [];
  for (const [st, field] of invalid) {
    r = await req(S, 'POST', 'statements', { auth: writer, body: [simple(), st] });
    if (!(r.status === 400 && r.json && r.json.message.startsWith('statement [1]: ') && r.json.message.includes(field)))
      bad.push(`${field}: ${r.status} ${r.text.slice(0, 200)}`);
  }
  ok(bad.length === 0, `${invalid.length} invalid statements: 400, the message names the statement and the field`, bad.join('\n'));
  r = await req(S, 'POST', 'statements', { auth: writer, body: '[{"actor": ' });
  ok(r.status === 400 && /not JSON/.test(r.json.message) && /line 1/.test(r.json.message), 'malformed JSON: 400 with the position', r.text);
  r = await req(S, 'POST', 'statements', { auth: writer, body: JSON.stringify(simple()), headers: { 'Content-Type': 'text/plain' } });
  ok(r.status === 400 && /application\/json/.test(r.json.message), 'statements as text/plain: 400', r.text);

  // voiding
  const target = simple();
  await req(S, 'POST', 'statements', { auth: writer, body: target });
  const voider = simple({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided', display: { 'en-US': 'voided' } },
    object: { objectType: 'StatementRef', id: target.id } });
  r = await req(S, 'POST', 'statements', { auth: writer, body: voider });
  const r1 = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: target.id } });
  const r2 = await req(S, 'GET', 'statements', { auth: reader, query: { voidedStatementId: target.id } });
  const r3 = await req(S, 'GET', 'statements', { auth: reader, query: { voidedStatementId: one.id } });
  ok(r.status === 200 && r1.status === 404 && r2.status === 200 && r2.json.id === target.id && r3.status === 404,
    'voiding: the voided statement is only found by voidedStatementId', [r.status, r1.status, r2.status, r3.status]);
  const listed = await all(S, reader, { verb: 'http://adlnet.gov/expapi/verbs/completed' });
  ok(!listed.some((s) => s.id === target.id) && listed.some((s) => s.id === voider.id),
    'voiding: queries leave the voided statement out, and find the voiding one through it');
  r = await req(S, 'POST', 'statements', { auth: writer, body: simple({ verb: voider.verb, object: { objectType: 'StatementRef', id: voider.id } }) });
  ok(r.status === 400 && /voiding statement/.test(r.json.message), 'voiding a voiding statement: 400', r.text);

  // filters on a realistic data set --------------------------------------------------------
  const data = gen(600, 17);
  const before = Date.now();
  for (let i = 0; i < data.length; i += 100) {
    r = await req(S, 'POST', 'statements', { auth: writer, body: data.slice(i, i + 100) });
    if (r.status !== 200) break;
  }
  ok(r.status === 200, 'POST 600 generated statements in batches of 100', r.text.slice(0, 300));
  const stored = await all(S, reader, {});
  const byId = new Map(stored.map((s) => [s.id, s]));
  ok(data.every((s) => intact(s, byId.get(s.id))), 'every statement reads back intact');
  const ids = (list) => new Set(list.map((s) => s.id));
  const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
  const gset = (pred) => new Set(data.filter(pred).map((s) => s.id));
  const V = 'http://adlnet.gov/expapi/verbs/';
  const checks = [];
  const learner = data[0].actor;
  checks.push(['agent', { agent: { objectType: 'Agent', account: learner.account } },
    gset((s) => JSON.stringify(s.actor.account) === JSON.stringify(learner.account))]);
  checks.push(['verb', { verb: V + 'responded' }, gset((s) => s.verb.id === V + 'responded')]);
  const mod = 'https://w3id.org/etoolbox/jmdi-etoolbox/core';
  checks.push(['activity', { activity: mod }, gset((s) => s.object.id === mod)]);
  const related = (s) => s.object.id === mod || Object.values((s.context || {}).contextActivities || {}).some((l) => l.some((a) => a.id === mod));
  checks.push(['activity + related_activities', { activity: mod, related_activities: 'true' }, gset(related)]);
  const reg = data[5].context.registration;
  checks.push(['registration', { registration: reg.toUpperCase() }, gset((s) => s.context.registration === reg)]);
  checks.push(['verb + registration', { verb: V + 'experienced', registration: reg },
    gset((s) => s.context.registration === reg && s.verb.id === V + 'experienced')]);
  checks.push(['agent + verb + activity', { agent: { account: learner.account }, verb: V + 'passed', activity: mod },
    gset((s) => JSON.stringify(s.actor.account) === JSON.stringify(learner.account) && s.verb.id === V + 'passed' && s.object.id === mod)]);
  const authority = { objectType: 'Agent', account: { homePage: 'https://w3id.org/etoolbox/lrs/keys', name: writer.split(':')[0] } };
  r = await req(S, 'GET', 'statements', { auth: reader, query: { agent: authority, limit: 5 } });
  const narrow = r.json.statements.length;
  const rel = await all(S, reader, { agent: authority, related_agents: 'true' });
  checks.push(['agent (the authority) + related_agents', null, null]);
  for (const [name, q, want] of checks) {
    if (!q) {
      ok(narrow === 0 && rel.length >= 600, `filter ${name}: found only with related_agents (${rel.length})`, { narrow, rel: rel.length });
      continue;
    }
    const res = await all(S, reader, q);
    ok(same(ids(res), want) && want.size > 0, `filter ${name}: ${want.size} statements`, { got: res.length, want: want.size });
  }
  r = await req(S, 'GET', 'statements', { auth: reader, query: { limit: 7 } });
  ok(r.status === 200 && r.json.statements.length === 7 && /^\/xAPI\/statements\?more=/.test(r.json.more), 'limit=7: 7 statements and a more link', r.text.slice(0, 200));
  const desc = r.json.statements.map((s) => s.stored);
  r = await req(S, 'GET', 'statements', { auth: reader, query: { limit: 7, ascending: 'true' } });
  const asc = r.json.statements.map((s) => s.stored);
  ok(desc.every((t, i) => !i || desc[i - 1] >= t) && asc.every((t, i) => !i || asc[i - 1] <= t) && asc[0] <= desc[0],
    'ascending: oldest first; default newest first');
  const mid = stored.find((s) => data.some((d) => d.id === s.id)).stored; // a stored time of the generated set
  const since = await all(S, reader, { since: new Date(before - 1).toISOString(), verb: V + 'responded' });
  const until = await all(S, reader, { until: new Date(before - 1).toISOString(), verb: V + 'responded' });
  ok(same(ids(since), gset((s) => s.verb.id === V + 'responded')) && until.length === 0 && mid,
    'since / until compare stored times', { since: since.length, until: until.length });
  r = await req(S, 'GET', 'statements', { auth: reader, query: { format: 'ids', limit: 1, verb: V + 'responded' } });
  const idsf = r.json.statements[0];
  ok(r.status === 200 && idsf && !idsf.verb.display && !idsf.object.definition && !('name' in idsf.actor) && idsf.actor.account,
    'format=ids: identifiers only', idsf);
  const withLang = simple({ verb: { id: V + 'completed', display: { 'en-US': 'completed', 'fr-FR': 'terminé' } } });
  await req(S, 'POST', 'statements', { auth: writer, body: withLang });
  r = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: withLang.id, format: 'canonical' }, headers: { 'Accept-Language': 'fr-FR' } });
  ok(r.status === 200 && JSON.stringify(r.json.verb.display) === '{"fr-FR":"terminé"}', 'format=canonical: one language, chosen by Accept-Language', r.text);
  for (const [q, name] of [[{ agent: '{"mbox":"nope"}' }, 'agent'], [{ verb: 'x y' }, 'verb'], [{ since: 'yesterday' }, 'since'],
    [{ limit: '-1' }, 'limit'], [{ format: 'pretty' }, 'format'], [{ ascending: 'yes' }, 'ascending'], [{ colour: 'red' }, 'colour'],
    [{ statementId: one.id, verb: V + 'completed' }, 'statementId']]) {
    r = await req(S, 'GET', 'statements', { auth: reader, query: q });
    if (!ok(r.status === 400 && r.json.message.includes(`'${name}'`), `bad query parameter '${name}': 400 naming it`, r.text)) break;
  }
  r = await req(S, 'GET', 'statements', { auth: reader, query: { verb: V + 'completed' } });
  const ct = Date.parse(r.headers['x-experience-api-consistent-through']);
  ok(!isNaN(ct) && Math.abs(ct - Date.now()) < 60000 && r.headers['last-modified'] &&
     Date.parse(r.headers['last-modified']) <= Date.now() + 1000,
  'X-Experience-API-Consistent-Through and Last-Modified on queries', r.headers);

  // more: pages stay valid while statements are stored ------------------------------------------
  let page = await req(S, 'GET', 'statements', { auth: reader, query: { limit: 50, verb: V + 'experienced' } });
  const want = gset((s) => s.verb.id === V + 'experienced');
  const seen = [];
  let pages = 0, inserted = 0;
  while (page.status === 200 && pages < 100) {
    seen.push(...page.json.statements.map((s) => s.id));
    pages++;
    // more experienced statements arrive between pages: not in this walk
    const extra = data.filter((s) => s.verb.id === V + 'experienced').slice(0, 3).map((s) => Object.assign({}, s, { id: uuid() }));
    if ((await req(S, 'POST', 'statements', { auth: writer, body: extra })).status === 200) inserted += 3;
    if (!page.json.more) break;
    page = await req(S, 'GET', null, { auth: reader, path: page.json.more });
  }
  ok(page.status === 200 && seen.length === new Set(seen).size && same(new Set(seen), want) && pages > 2 && inserted > 0,
    `more: ${pages} pages while ${inserted} statements were stored, no repeats or gaps`, { seen: seen.length, want: want.size, status: page.status });
  r = await req(S, 'GET', null, { auth: reader, path: '/xAPI/statements?more=eyJxIjp7fX0.AAAAAAAAAAAAAAAAAAAAAA' });
  ok(r.status === 400 && /cursor/.test(r.json.message), 'a forged more cursor: 400', r.text);

  // attachments ------------------------------------------------------------------------------
  const content = Buffer.from('certificate of completion\n');
  const sha2 = crypto.createHash('sha256').update(content).digest('hex');
  const withAtt = simple({ attachments: [{ usageType: 'http://id.tincanapi.com/attachment/certificate',
    display: { 'en-US': 'certificate' }, contentType: 'text/plain', length: content.length, sha2 }] });
  const boundary = 'b' + crypto.randomBytes(8).toString('hex');
  const mp = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(withAtt)}\r\n` +
    `--${boundary}\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: binary\r\nX-Experience-API-Hash: ${sha2}\r\n\r\n`),
  content, Buffer.from(`\r\n--${boundary}--\r\n`)]);
  r = await req(S, 'POST', 'statements', { auth: writer, body: mp, headers: { 'Content-Type': `multipart/mixed; boundary=${boundary}` } });
  const r4 = await req(S, 'GET', 'statements', { auth: reader, query: { statementId: withAtt.id, attachments: 'true' } });
  ok(r.status === 200 && /^multipart\/mixed; boundary=/.test(r4.headers['content-type']) && r4.buf.includes(content) &&
     r4.text.includes(withAtt.id), 'attachments: multipart POST stored, GET attachments=true answers multipart with the content', [r.status, r.text.slice(0, 200)]);
  r = await req(S, 'POST', 'statements', { auth: writer, body: simple({ attachments: withAtt.attachments }) });
  ok(r.status === 400 && /attachments\[0\]/.test(r.json.message), 'an attachment without its content: 400', r.text);

  // Activity State ------------------------------------------------------------------------------
  const sq = { activityId: mod, agent: { objectType: 'Agent', account: learner.account }, stateId: 'https://w3id.org/xapi/scorm/attempt-state' };
  r = await req(S, 'PUT', 'activities/state', { auth: writer, query: sq, body: { location: 'p3', credit: 'credit' } });
  const s1 = await req(S, 'POST', 'activities/state', { auth: writer, query: sq, body: { location: 'p4', suspend: 'x' } });
  const s2 = await req(S, 'GET', 'activities/state', { auth: writer, query: sq });
  ok(r.status === 204 && s1.status === 204 && s2.status === 200 && s2.json.location === 'p4' && s2.json.credit === 'credit' &&
     s2.json.suspend === 'x' && /^"[0-9a-f]{40}"$/.test(s2.headers.etag) && /application\/json/.test(s2.headers['content-type']),
  'state: PUT, POST merges JSON objects, GET with a quoted SHA-1 ETag', [r.status, s1.status, s2.status, s2.text]);
  const etag = s2.headers.etag;
  r = await req(S, 'PUT', 'activities/state', { auth: writer, query: sq, body: { a: 1 }, headers: { 'If-Match': '"0000000000000000000000000000000000000000"' } });
  const r5 = await req(S, 'PUT', 'activities/state', { auth: writer, query: sq, body: { a: 1 }, headers: { 'If-None-Match': '*' } });
  const r6 = await req(S, 'PUT', 'activities/state', { auth: writer, query: sq, body: { location: 'p5' }, headers: { 'If-Match': etag } });
  ok(r.status === 412 && r5.status === 412 && r6.status === 204, 'state: If-Match / If-None-Match preconditions (412), a matching ETag replaces', [r.status, r5.status, r6.status]);
  const t0 = new Date().toISOString();
  await sleep(20);
  await req(S, 'PUT', 'activities/state', { auth: writer, query: Object.assign({}, sq, { stateId: 'other' }), body: 'plain text', headers: { 'Content-Type': 'text/plain' } });
  const l1 = await req(S, 'GET', 'activities/state', { auth: reader, query: { activityId: mod, agent: sq.agent } });
  const l2 = await req(S, 'GET', 'activities/state', { auth: reader, query: { activityId: mod, agent: sq.agent, since: t0 } });
  const txt = await req(S, 'GET', 'activities/state', { auth: reader, query: Object.assign({}, sq, { stateId: 'other' }) });
  ok(l1.status === 200 && l1.json.length === 2 && JSON.stringify(l2.json) === '["other"]' && txt.text === 'plain text' &&
     /text\/plain/.test(txt.headers['content-type']), 'state: ids (and since), any content type kept', [l1.text, l2.text, txt.headers['content-type']]);
  r = await req(S, 'POST', 'activities/state', { auth: writer, query: Object.assign({}, sq, { stateId: 'other' }), body: { a: 1 } });
  ok(r.status === 400, 'state: POST JSON onto a text document: 400', r.status);
  r = await req(S, 'PUT', 'activities/state', { auth: reader, query: sq, body: {} });
  ok(r.status === 403, 'state: a read key cannot write', r.status);
  r = await req(S, 'DELETE', 'activities/state', { auth: writer, query: sq });
  const r7 = await req(S, 'GET', 'activities/state', { auth: writer, query: sq });
  const r8 = await req(S, 'DELETE', 'activities/state', { auth: writer, query: { activityId: mod, agent: sq.agent } });
  const r9 = await req(S, 'GET', 'activities/state', { auth: writer, query: { activityId: mod, agent: sq.agent } });
  ok(r.status === 204 && r7.status === 404 && r8.status === 204 && r9.json.length === 0, 'state: DELETE one, then all of an activity and agent', [r.status, r7.status, r8.status, r9.text]);
  r = await req(S, 'PUT', 'activities/state', { auth: writer, query: { activityId: 'not an iri', agent: sq.agent, stateId: 'x' }, body: {} });
  ok(r.status === 400 && /activityId/.test(r.json.message), 'state: a bad activityId: 400 naming it', r.text);

  // CORS -------------------------------------------------------------------------------------
  r = await req(S, 'OPTIONS', 'statements', { version: null, headers: { Origin: 'https://lms.example.org',
    'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization,content-type,x-experience-api-version' } });
  const allowH = (r.headers['access-control-allow-headers'] || '').toLowerCase();
  ok(r.status === 204 && r.headers['access-control-allow-origin'] === 'https://lms.example.org' &&
     /post/i.test(r.headers['access-control-allow-methods'] || '') && allowH.includes('authorization') &&
     allowH.includes('x-experience-api-version') && allowH.includes('content-type'),
  'CORS preflight: 204, no key needed, the methods and headers xAPI uses', r.headers);
  r = await req(S, 'POST', 'statements', { auth: writer, body: simple(), headers: { Origin: 'https://lms.example.org' } });
  ok(r.status === 200 && r.headers['access-control-allow-origin'] === 'https://lms.example.org' &&
     /X-Experience-API-Consistent-Through/.test(r.headers['access-control-expose-headers'] || ''),
  'CORS: answers allow the origin and expose the xAPI headers', r.headers);

  // revoking a key takes effect at once ------------------------------------------------------------
  r = await req(S, 'GET', 'statements', { auth: doomed, query: { limit: 1 } });
  const rv = run(['lrs', 'key', 'revoke', '--db', db, doomed.split(':')[0]]);
  const r10 = await req(S, 'GET', 'statements', { auth: doomed, query: { limit: 1 } });
  ok(r.status === 200 && rv.code === 0 && r10.status === 401, 'a revoked key: 401 on the next request', [r.status, rv.code, r10.status]);

  // limits ---------------------------------------------------------------------------------------
  const big = Buffer.alloc(300 * 1024, 0x20);
  r = await req(S, 'POST', 'statements', { auth: writer, body: big });
  ok(r.status === 413 && /larger/.test(r.json.message), 'a body over --max-body (Content-Length): 413', r.status);
  const chunked = await new Promise((resolve) => {
    const rq = http.request({ host: '127.0.0.1', port: S.port, path: '/xAPI/statements', method: 'POST',
      headers: { Authorization: basic(writer), 'X-Experience-API-Version': '1.0.3', 'Content-Type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    rq.on('error', () => resolve('error'));
    for (let i = 0; i < 40; i++) rq.write(Buffer.alloc(8192, 0x20));
    rq.end();
  });
  ok(chunked === 413 || chunked === 'error', 'a chunked body that grows over --max-body: 413', chunked);
  r = await req(S, 'GET', 'about', {});
  ok(r.status === 200, 'the server still answers after 413s', r.status);

  await stop(S);
  return { admin, writer, reader, db };
}

// ---- timeouts --------------------------------------------------------------------------------
async function timeouts() {
  const db = path.join(W, 'slow.db');
  const key = addKey(db, 'admin');
  const S = await start('slow', ['--idle-timeout', '2', '--request-timeout', '3']);
  const closedAfter = (sock) => new Promise((resolve) => {
    const t0 = Date.now();
    sock.on('close', () => resolve(Date.now() - t0));
    sock.on('error', () => {});
    setTimeout(() => { sock.destroy(); resolve(-1); }, 15000);
  });
  // an idle connection
  let sock = net.connect(S.port, '127.0.0.1');
  let ms = await closedAfter(sock);
  ok(ms >= 1500 && ms <= 6000, `an idle connection is closed after --idle-timeout (${ms} ms)`, ms);
  // bodies held at once: over --max-buffered, 503 with Retry-After
  const bkey = addKey(path.join(W, 'buffered.db'), 'admin');
  const B = await start('buffered', ['--max-body', '64K', '--max-buffered', '100K', '--idle-timeout', '5']);
  const hold = [];
  for (let k = 0; k < 2; k++) {
    const s2 = net.connect(B.port, '127.0.0.1');
    s2.on('error', () => {});
    s2.write(`POST /xAPI/statements HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(bkey)}\r\n` +
      'X-Experience-API-Version: 1.0.3\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n[');
    hold.push(s2);
    await sleep(200);
  }
  let answer = '';
  hold[1].on('data', (c) => { answer += c; });
  for (let t = 0; t < 40 && !answer; t++) await sleep(50);
  const after = await req(B, 'POST', 'statements', { auth: bkey, body: [simple()] });
  for (const s2 of hold) s2.destroy();
  ok(/^HTTP\/1\.1 503/.test(answer) && /Retry-After: 1/i.test(answer) && after.status === 200,
    'bodies held at once over --max-buffered: 503 with Retry-After; small requests still pass', [answer.slice(0, 200), after.status]);
  await stop(B);
  // a slow body: one byte every 700 ms (each byte resets the idle timer)
  sock = net.connect(S.port, '127.0.0.1');
  const st = JSON.stringify(simple());
  sock.write(`POST /xAPI/statements HTTP/1.1\r\nHost: x\r\nAuthorization: ${basic(key)}\r\n` +
    `X-Experience-API-Version: 1.0.3\r\nContent-Type: application/json\r\nContent-Length: ${st.length}\r\n\r\n`);
  let i = 0;
  const timer = setInterval(() => { if (i < st.length && !sock.destroyed) sock.write(st[i++]); }, 700);
  const during = await req(S, 'GET', 'about', {}); // others are served meanwhile
  ms = await closedAfter(sock);
  clearInterval(timer);
  ok(ms >= 2500 && ms <= 9000 && during.status === 200, `a slow body is dropped after --request-timeout (${ms} ms); others are answered meanwhile`, ms);
  const r = await req(S, 'GET', 'statements', { auth: key });
  ok(r.status === 200 && r.json.statements.length === 0, '... and nothing of it is stored', r.text.slice(0, 200));
  // headers that never end
  sock = net.connect(S.port, '127.0.0.1');
  sock.write('GET /xAPI/about HTTP/1.1\r\nHost: x\r\n');
  ms = await closedAfter(sock);
  ok(ms >= 1500 && ms <= 6000, `a request whose headers stop is closed after --idle-timeout (${ms} ms)`, ms);
  await stop(S);
}

// ---- durability --------------------------------------------------------------------------------
async function durability() {
  const db = path.join(W, 'dur.db');
  const key = addKey(db, 'admin');
  let S = await start('dur');
  const data = gen(12000, 23);
  const sent = new Map(data.map((s) => [s.id, s]));
  const acked = [];
  const batches = [];
  for (let i = 0; i < data.length; i += 40) batches.push(data.slice(i, i + 40));
  let next = 0, stopLoad = false;
  const kagent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  async function loader() {
    while (!stopLoad && next < batches.length) {
      const b = batches[next++];
      try {
        const r = await req(S, 'POST', 'statements', { auth: key, body: b, agent: kagent });
        if (r.status === 200) acked.push(b);
      } catch (e) { return; } // the server is gone
    }
  }
  const loaders = [loader(), loader(), loader(), loader()];
  for (let i = 0; i < 400 && acked.length < 60; i++) await sleep(25);
  S.killed = true;
  S.proc.kill('SIGKILL');
  stopLoad = true;
  await Promise.all(loaders);
  for (let i = 0; i < 100 && !S.exited; i++) await sleep(50);
  kagent.destroy();
  const nacked = acked.length * 40;
  S = await start('dur');
  const back = new Map();
  for (const s of await all(S, key, {})) back.set(s.id, s);
  const lost = [], damaged = [];
  for (const b of acked) for (const s of b) {
    if (!back.has(s.id)) lost.push(s.id);
    else if (!intact(s, back.get(s.id))) damaged.push(s.id);
  }
  ok(nacked >= 40 && lost.length === 0 && damaged.length === 0,
    `kill -9 during a load: all ${nacked} acknowledged statements are there and intact after a restart`,
    { acked: nacked, lost: lost.length, damaged: damaged.length });
  // nothing half-written: every batch is there whole or not at all
  const partial = batches.filter((b) => { const k = b.filter((s) => back.has(s.id)).length; return k && k !== b.length; });
  ok(partial.length === 0 && [...back.values()].every((s) => sent.has(s.id) && intact(sent.get(s.id), s)),
    `... no batch is half there (${back.size} statements stored), and nothing stored is damaged`, { partial: partial.length });
  const r = await req(S, 'POST', 'statements', { auth: key, body: data.slice(0, 40) });
  ok(r.status === 200, '... and the restarted server takes statements again (resends: 200)', r.status);
  await stop(S);
}

// ---- hostile requests -----------------------------------------------------------------------------
function rng(seed) {
  let s = seed >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; };
}
function hostile(rand, base) {
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const st = JSON.parse(JSON.stringify(pick(base)));
  st.id = uuid();
  const text = JSON.stringify(st);
  const kind = Math.floor(rand() * 10);
  const wrong = [42, 'x', true, null, [], {}, -1.5, '\u0000', [1, 2]];
  switch (kind) {
  case 0: { // truncated
    return { body: text.slice(0, 1 + Math.floor(rand() * (text.length - 2))) };
  }
  case 1: { // a byte changed into something that can't be JSON there
    const i = Math.floor(rand() * text.length);
    return { body: text.slice(0, i) + pick(['{', '}', ']', ',', ':', '\\', '"\u0001', 'NaN']) + text.slice(i) + pick(['}', ',', ''] ) + '{' };
  }
  case 2: { // deep nesting, inside extensions or alone
    const d = 3000 + Math.floor(rand() * 60000);
    if (rand() < 0.5) return { body: '['.repeat(d) + ']'.repeat(d) };
    return { body: text.slice(0, -1) + ',"result":{"extensions":{"http://x.org/e":' + '{"a":'.repeat(d) + '1' + '}'.repeat(d) + '}}}' };
  }
  case 3: { // huge strings: an IRI with a space, or over the limit
    const len = rand() < 0.9 ? 1000 + Math.floor(rand() * 200000) : 300000;
    st.verb.id = 'http://example.org/' + 'x'.repeat(len) + ' y';
    return { body: JSON.stringify(st) };
  }
  case 4: { // invalid UTF-8 inside a string
    const b = Buffer.from(text);
    const i = text.indexOf('"name"') + 9;
    const bad = pick([[0xc3, 0x28], [0xff], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf0, 0x28, 0x8c, 0xbc], [0xc0, 0xaf]]);
    return { body: Buffer.concat([b.subarray(0, i), Buffer.from(bad), b.subarray(i)]) };
  }
  case 5: case 6: { // wrong types
    const paths = [['actor'], ['verb'], ['object'], ['id'], ['timestamp'], ['verb', 'id'], ['actor', 'account'],
      ['object', 'id'], ['context'], ['context', 'registration'], ['result'], ['object', 'definition'],
      ['actor', 'objectType'], ['context', 'contextActivities']];
    const p = pick(paths);
    let o = st;
    for (const k of p.slice(0, -1)) { if (!o[k] || typeof o[k] !== 'object') o[k] = {}; o = o[k]; }
    let w = pick(wrong);
    // an empty object is a valid context, result, contextActivities or
    // definition: never that
    if (['context', 'result', 'contextActivities', 'definition'].includes(p[p.length - 1]))
      w = pick([42, 'x', true, [], -1]);
    o[p[p.length - 1]] = w;
    if (w === null && p.length === 1) o[p[0]] = 7;
    return { body: JSON.stringify(st) };
  }
  case 7: { // batch: valid statements and one bad one
    const list = [0, 1, 2].map(() => Object.assign(JSON.parse(JSON.stringify(pick(base))), { id: uuid() }));
    list[Math.floor(rand() * 3)].actor = pick([{}, { mbox: 'nobody' }, { objectType: 'Group' }, 'me']);
    return { body: JSON.stringify(list) };
  }
  case 8: { // unknown keys, nulls, duplicate keys, not an object
    const k = Math.floor(rand() * 4);
    if (k === 0) return { body: text.slice(0, -1) + ',"evil":1}' };
    if (k === 1) return { body: text.slice(0, -1) + ',"result":null}' };
    if (k === 2) return { body: text.slice(0, -1) + ',"verb":{"id":"http://x.org/v"}}' };
    return { body: pick(['42', '"a string"', 'null', 'true', '[[]]', '[1,2]', '']) };
  }
  default: { // other resources and content types
    const k = Math.floor(rand() * 6);
    if (k === 0) return { body: text, headers: { 'Content-Type': 'multipart/mixed; boundary=zz' } };
    if (k === 1) return { body: text, headers: { 'Content-Type': 'text/html' } };
    if (k === 2) return { method: 'GET', query: { agent: pick(['{', '{"mbox":1}', '[]', 'null', '{"account":{}}']) } };
    if (k === 3) return { method: 'GET', query: { since: pick(['x', '2024-13-01T00:00:00Z', '9999']), limit: 'ten' } };
    if (k === 4) return { resource: 'activities/state', method: 'PUT', query: { activityId: 'x y', agent: '{}', stateId: 's' }, body: '{}' };
    return { method: 'PUT', query: { statementId: pick(['x', '', uuid() + 'x']) }, body: text };
  }
  }
}
async function hostileRequests() {
  const db = path.join(W, 'hostile.db');
  const key = addKey(db, 'admin');
  const S = await start('hostile', ['--max-body', '256K']);
  const base = gen(200, 31);
  let r = await req(S, 'POST', 'statements', { auth: key, body: base.slice(0, 100) });
  const before = (await all(S, key, {})).map((s) => JSON.stringify(s)).sort();
  const rand = rng(4242);
  const N = 10000;
  const statuses = {};
  const unexpected = [];
  let next = 0;
  const hagent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const t0 = Date.now();
  async function worker() {
    while (next < N && Date.now() - t0 < 240000) {
      const i = next++;
      const h = hostile(rand, base);
      let res;
      try {
        res = await req(S, h.method || (h.query ? 'GET' : 'POST'), h.resource || 'statements',
          { auth: key, body: h.body, headers: h.headers, query: h.query, agent: hagent });
      } catch (e) {
        res = { status: 'error: ' + e.message };
      }
      statuses[res.status] = (statuses[res.status] || 0) + 1;
      if (res.status !== 400 && res.status !== 413 && process.env.LRSD_HOSTILE_DUMP)
        fs.appendFileSync(process.env.LRSD_HOSTILE_DUMP, `${res.status} ${h.method || ''} ${JSON.stringify(h.query || {})} ${h.body}\n`);
      if (res.status !== 400 && res.status !== 413 && unexpected.length < 10)
        unexpected.push(`#${i}: ${res.status} for ${String(h.body === undefined ? JSON.stringify(h.query) : h.body).slice(0, 160)}`);
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()]);
  hagent.destroy();
  const sent = Object.values(statuses).reduce((a, b) => a + b, 0);
  ok(r.status === 200 && sent === N && unexpected.length === 0,
    `${N} hostile requests (malformed JSON, deep nesting, huge strings, invalid UTF-8, wrong types): all 400 or 413 in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    [JSON.stringify(statuses)].concat(unexpected).join('\n'));
  r = await req(S, 'GET', 'about', {});
  const after = (await all(S, key, {})).map((s) => JSON.stringify(s)).sort();
  ok(r.status === 200 && !S.exited && after.length === before.length && after.every((s, i) => s === before[i]),
    `... the server still answers and the store is intact (${after.length} statements, byte for byte)`, { before: before.length, after: after.length });
  r = await req(S, 'POST', 'statements', { auth: key, body: simple() });
  ok(r.status === 200, '... and it still stores good statements', r.status);
  await stop(S);
}

// ---- send and statements against etoolbox lrs ---------------------------------------------------
async function roundTrip() {
  const db = path.join(W, 'rt.db');
  const writer = addKey(db, 'write', 'packages');
  const reader = addKey(db, 'read', 'analysts');
  const S = await start('rt');
  const file = path.join(W, 'rt.jsonl');
  fs.writeFileSync(file, gen(1500, 41).map((s) => JSON.stringify(s)).join('\n') + '\n');
  const env = Object.assign({}, process.env, { XDG_STATE_HOME: path.join(W, 'state'), ETOOLBOX_LRS_AUTH: writer });
  const send = (extra) => spawnSync(E, ['send', '-q', '--lrs', S.url].concat(extra), { env, encoding: 'utf8', cwd: W });
  let r = send([file]);
  const read = spawnSync(E, ['statements', '-q', '--lrs', S.url, '--auth', reader, '--page-size', '400'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const sentIds = new Set(fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l).id));
  const readIds = read.stdout.trim().split('\n').filter((l) => l).map((l) => JSON.parse(l).id);
  ok(r.status === 0 && read.status === 0 && readIds.length === sentIds.size && readIds.every((id) => sentIds.has(id)),
    `etoolbox send (write key) then etoolbox statements (read key): the same ${sentIds.size} statements`, [r.stderr, read.stderr, readIds.length]);
  r = send(['--no-journal', file]);
  ok(r.status === 0, 'sending them all again without a journal: 200s, nothing duplicated', r.stderr);
  const again = spawnSync(E, ['statements', '-q', '--lrs', S.url, '--auth', reader], { encoding: 'utf8', maxBuffer: 1 << 28 });
  ok(again.stdout.trim().split('\n').length === sentIds.size, '... still the same number of statements', again.stdout.length);
  r = spawnSync(E, ['statements', '-q', '--lrs', S.url, '--auth', writer], { encoding: 'utf8' });
  ok(r.status === 4 && /403/.test(r.stderr), 'etoolbox statements with the write-only key: refused (403, exit 4)', r.stderr);
  // copy to a second LRS
  const db2 = path.join(W, 'rt2.db');
  const w2 = addKey(db2, 'admin');
  const S2 = await start('rt2');
  const copy = spawnSync('/bin/sh', ['-c', `"${E}" statements -q --lrs "${S.url}" --auth "${reader}" | "${E}" send -q --no-journal --lrs "${S2.url}" --auth "${w2}" -`], { encoding: 'utf8', cwd: W });
  const back = await all(S2, w2, {});
  ok(copy.status === 0 && back.length === sentIds.size && back.every((s) => sentIds.has(s.id)),
    'statements | send copies the history to another etoolbox lrs', copy.stderr);
  await stop(S2);
  await stop(S);
}

// ---- memory that does not grow with the store -------------------------------------------------
function variant(list, k) {
  const x = Math.imul(k, 0x9e3779b1) >>> 0;
  const re = /\b([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/g;
  return list.map((s) => JSON.parse(JSON.stringify(s).replace(re, (m, a, b) =>
    ((parseInt(a, 16) ^ x) >>> 0).toString(16).padStart(8, '0') + b)));
}
function rssMiB(s) {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${s.proc.pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
async function memory() {
  const db = path.join(W, 'mem.db');
  const key = addKey(db, 'admin');
  const S = await start('mem');
  const base = gen(4000, 61);
  const load = async (k) => {
    const list = variant(base, k);
    for (let i = 0; i < list.length; i += 100) {
      const r = await req(S, 'POST', 'statements', { auth: key, body: list.slice(i, i + 100) });
      if (r.status !== 200) throw new Error(`POST: ${r.status} ${r.text.slice(0, 200)}`);
    }
  };
  await load(1);
  await load(2);
  const before = rssMiB(S);
  for (let k = 3; k <= 6; k++) await load(k);
  const after = rssMiB(S);
  ok(after - before < 32, `memory: 16,000 more statements in batches grow the server's RSS by ${(after - before).toFixed(1)} MiB (${before.toFixed(0)} to ${after.toFixed(0)}; under 32)`,
    { before, after });
  await stop(S);
}

// ---- valgrind --------------------------------------------------------------------------------------
async function underValgrind() {
  const db = path.join(W, 'vg.db');
  const key = addKey(db, 'admin');
  const S = await start('vg', ['--threads', '2'], { valgrind: true, env: { ETOOLBOX_LRS_ARENA: '0' } });
  const base = gen(120, 51);
  const rand = rng(99);
  const codes = [];
  codes.push((await req(S, 'POST', 'statements', { auth: key, body: base.slice(0, 100) })).status);
  codes.push((await req(S, 'POST', 'statements', { auth: key, body: base.slice(0, 100) })).status);
  codes.push((await req(S, 'GET', 'statements', { auth: key, query: { limit: 30, verb: base[3].verb.id } })).status);
  const page = await req(S, 'GET', 'statements', { auth: key, query: { limit: 10 } });
  codes.push((await req(S, 'GET', null, { auth: key, path: page.json.more })).status);
  codes.push((await req(S, 'PUT', 'activities/state', { auth: key, query: { activityId: 'http://x.org/a', agent: base[0].actor, stateId: 's' }, body: { a: 1 } })).status);
  codes.push((await req(S, 'GET', 'activities/state', { auth: key, query: { activityId: 'http://x.org/a', agent: base[0].actor, stateId: 's' } })).status);
  for (let i = 0; i < 60; i++) {
    const h = hostile(rand, base);
    await req(S, h.method || (h.query ? 'GET' : 'POST'), h.resource || 'statements', { auth: key, body: h.body, headers: h.headers, query: h.query });
  }
  const exit = await stop(S);
  const vg = fs.readFileSync(path.join(W, 'vg.vg'), 'utf8');
  ok(exit && exit.code === 0 && !/==\d+==/.test(vg) && codes.every((c) => c === 200 || c === 204),
    'valgrind: the server stores, queries, answers 60 hostile requests and stops, with no error or leak', [JSON.stringify(exit), JSON.stringify(codes), vg.slice(0, 1500)].join('\n'));
}

(async () => {
  const steps = [['statements, documents, auth, CORS, limits', cases], ['timeouts', timeouts], ['durability', durability],
    ['hostile requests', hostileRequests], ['send and statements', roundTrip]];
  // ASan keeps freed memory in quarantine: RSS says nothing about the server there
  if (opt.sanitized !== '1') steps.push(['memory', memory]);
  if (opt.valgrind === '1') steps.push(['valgrind', underValgrind]);
  for (const [name, fn] of steps) {
    try {
      await fn();
    } catch (e) {
      ok(false, `${name}: ran to the end`, e.stack || String(e));
    }
  }
  for (const s of servers) if (!s.exited) { s.killed = true; await stop(s, 'SIGKILL'); }
  const unclean = servers.filter((s) => !s.killed && !(s.exited && s.exited.code === 0)).map((s) => `${s.name}: ${JSON.stringify(s.exited)}`);
  const logs = servers.map((s) => { try { return fs.readFileSync(path.join(W, s.name + '.log'), 'utf8'); } catch (e) { return ''; } }).join('');
  const sanitizer = logs.match(/(AddressSanitizer|LeakSanitizer|runtime error|BUG).*/g) || [];
  ok(unclean.length === 0 && sanitizer.length === 0, `every server stopped by SIGTERM exited with 0, nothing in the logs from a sanitizer (${servers.length} servers)`,
    unclean.concat(sanitizer.slice(0, 10)).join('\n'));
  agent.destroy();
  console.log(`1..${n}`);
  process.exit(failed ? 1 : 0);
})();
