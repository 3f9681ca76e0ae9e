'use strict';
// The xAPI tests of the browser suite (issue 5 §4), run by run.js in the same TAP stream.
//
// A real LRS behind the fault-injecting proxy (tools/lrs-proxy.js) and a small CORS
// pass-through (lib/lrs-cors.js, which also records what the browser sent). register() is
// called once per LRS:
//   - 'll': Learning Locker's xapi-statements in memory (tools/lrs-start.js, one Basic
//     credential for everything);
//   - 'etoolbox': our own `etoolbox lrs` (a fresh SQLite database), with a write-only key in
//     the package and a read key for the checks, as an organisation would run it.
// The Core Module is built with `etoolbox build --lrs-endpoint <pass-through> --lrs-home … `
// (the key in ETOOLBOX_PACKAGE_AUTH) and played in Chromium against scorm-again, as in run.js.
// What the LRS holds afterwards is read straight from the LRS, not through the proxy.
const fs = require('fs');
const path = require('path');
const http = require('http');
const net = require('net');
const { spawn, spawnSync } = require('child_process');
const assert = require('assert/strict');
const lrsCors = require('./lib/lrs-cors');
const { findPackages, firstLaunchCmi, relaunchCmi, Launch, assertCleanSession, assertFinalCmi } = require('./lib/learner');

const basic = (cred) => 'Basic ' + Buffer.from(cred).toString('base64');
const HOME = 'https://lms.example.org';
const V = 'http://adlnet.gov/expapi/verbs/';
const T = 'http://adlnet.gov/expapi/activities/';
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ISO_DUR = /^PT(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?$/;
const STORE_KEY = /^etoolbox\.xapi\./;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, ms, every = 200) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(every);
  }
}

/* ------------------------------------------------------------------ servers */

// cmd: a script of tools/ (run with node) or a path to a program
function spawnReady(root, dir, name, cmd, args) {
  const ready = path.join(dir, name + '.ready');
  const logFile = path.join(dir, name + '.log');
  const out = fs.openSync(logFile, 'w');
  const script = cmd.endsWith('.js');
  const child = spawn(script ? process.execPath : cmd, [...(script ? [path.join(root, 'tools', cmd)] : []), ...args, '--ready-file', ready],
    { cwd: root, stdio: ['ignore', out, out] });
  let exited = null;
  child.on('exit', (code) => { exited = code; });
  return until(`${name} to listen`, () => {
    if (exited !== null) throw new Error(`${name} exited (${exited}): ${fs.readFileSync(logFile, 'utf8').slice(-800)}`);
    return fs.existsSync(ready) && fs.statSync(ready).size > 0;
  }, 30000, 100).then(() => ({ child, info: JSON.parse(fs.readFileSync(ready, 'utf8')) }));
}

function request(url, { method = 'GET', body = null, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, headers, timeout: 10000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

/* ------------------------------------------------------------------ expectations */

function xresponse(q, keys) {
  if (q.type === 'true_false') return keys[0] === 't' ? 'true' : 'false';
  if (q.type === 'matching') return q.pairs.map((p, i) => `${p.key}[.]${keys[i]}`).join('[,]');
  return keys.slice().sort().join('[,]');
}
function scorm12(q, keys) {
  if (q.type === 'matching') return q.pairs.map((p, i) => `${p.key}.${keys[i]}`).join(',');
  return keys.slice().sort().join(',');
}
function failingCount(n, mastery) {
  for (let k = n; k >= 0; k--) if (Math.round((100 * k) / n) < mastery) return k;
  return -1;
}

// One line per statement: what the tests compare, as multisets.
function describe(s) {
  const v = s.verb.id.replace(V, '');
  const r = s.result || {};
  if (v === 'responded') return `responded ${s.object.id} ${r.response} ${r.success}`;
  if (v === 'passed' || v === 'failed') return `${v} ${s.object.id} raw=${r.score && r.score.raw} scaled=${r.score && r.score.scaled} success=${r.success}`;
  return `${v} ${s.object.id}`;
}
class Expect {
  constructor(pkg) {
    this.pkg = pkg;
    this.base = pkg.data.course.xapi_base;
    this.mod = `${this.base}/${pkg.data.module.id}`;
    this.lines = [];
  }
  module(verb) { this.lines.push(`${verb} ${this.mod}`); }
  topic(page) { this.lines.push(`experienced ${this.mod}/${page.topic}`); }
  answer(q, keys, right) { this.lines.push(`responded ${this.mod}/interactions/${q.id} ${xresponse(q, keys)} ${right}`); }
  score(raw, mastery) {
    this.lines.push(`${raw >= mastery ? 'passed' : 'failed'} ${this.mod} raw=${raw} scaled=${raw / 100} success=${raw >= mastery}`);
  }
}
function byVerb(list) {
  const c = {};
  for (const s of list) { const v = s.verb.id.replace(V, ''); c[v] = (c[v] || 0) + 1; }
  return c;
}

// Every property of the design (docs/xapi-statements.md §3, §4) on one statement.
function assertShape(s, { pkg, reg, actor }) {
  const d = pkg.data;
  const base = d.course.xapi_base;
  const mod = `${base}/${d.module.id}`;
  const v = s.verb.id.replace(V, '');
  const lang = d.lang;
  const tag = `${v} ${s.id}`;
  assert.match(s.id, UUID4, `${tag}: id is a v4 UUID`);
  assert.match(s.timestamp, UTC_MS, `${tag}: UTC timestamp with milliseconds`);
  assert.deepEqual(s.actor, actor, `${tag}: actor`);
  assert.deepEqual(s.verb, { id: V + v, display: { 'en-US': v } }, `${tag}: verb`);
  assert.equal(s.context.registration, reg, `${tag}: registration`);
  assert.equal(s.context.language, lang, `${tag}: language`);
  for (const k of ['stored', 'authority', 'version']) assert.ok(!s.emitted || !(k in s), `${tag}: no ${k}`);
  assert.ok(!('platform' in s.context) && !('revision' in s.context), `${tag}: no platform or revision`);
  const ca = s.context.contextActivities;
  const ref = (id, type, name) => {
    const a = { objectType: 'Activity', id, definition: { type: T + type } };
    if (name !== undefined) a.definition.name = { [lang]: name };
    return a;
  };
  const quiz = d.pages.find((p) => p.kind === 'quiz');
  const grouping = [ref(base, 'course', d.course.title), ref(`${mod}?attemptId=${reg}`, 'attempt')];
  if (v === 'responded') grouping.push(ref(`${mod}#knowledge-check`, 'assessment', quiz.title));
  assert.deepEqual(ca.grouping, grouping, `${tag}: grouping`);
  assert.deepEqual(ca.category, [ref('https://w3id.org/xapi/scorm', 'profile')], `${tag}: category`);
  const moduleDef = { name: { [lang]: d.module.title }, description: { [lang]: d.module.description }, type: T + 'module' };
  const r = s.result;
  if (v === 'experienced' || v === 'responded') {
    assert.deepEqual(ca.parent, [ref(mod, 'module', d.module.title)], `${tag}: parent is the module`);
  } else {
    assert.ok(!('parent' in ca), `${tag}: no parent`);
    assert.deepEqual(s.object, { objectType: 'Activity', id: mod, definition: moduleDef }, `${tag}: the module with its definition`);
  }
  if (v === 'experienced') {
    const page = d.pages.find((p) => p.kind === 'topic' && s.object.id === `${mod}/${p.topic}`);
    assert.ok(page, `${tag}: a topic of the module`);
    assert.deepEqual(s.object.definition, { name: { [lang]: page.title }, type: T + 'lesson' });
    assert.deepEqual(Object.keys(r).sort(), ['duration']);
    assert.match(r.duration, ISO_DUR);
  } else if (v === 'responded') {
    const q = d.questions.find((x) => s.object.id === `${mod}/interactions/${x.id}`);
    assert.ok(q, `${tag}: a question of the module`);
    const def = s.object.definition;
    const prompt = [...q.prompt];
    assert.deepEqual(def.name, { [lang]: prompt.length > 100 ? prompt.slice(0, 99).join('') + '\u2026' : q.prompt });
    assert.deepEqual(def.description, { [lang]: q.prompt });
    assert.equal(def.type, T + 'cmi.interaction');
    const right = Launch.response(q, true);
    assert.deepEqual(def.correctResponsesPattern, [xresponse(q, right)]);
    if (q.type === 'matching') {
      assert.equal(def.interactionType, 'matching');
      assert.deepEqual(def.source, q.pairs.map((p) => ({ id: p.key, description: { [lang]: p.left } })));
      assert.deepEqual(def.target, q.pairs.map((p) => ({ id: p.right_key, description: { [lang]: p.right } })));
    } else if (q.type === 'true_false') {
      assert.equal(def.interactionType, 'true-false');
      assert.ok(!('choices' in def));
    } else {
      assert.equal(def.interactionType, 'choice');
      assert.deepEqual(def.choices, q.choices.map((c) => ({ id: c.key, description: { [lang]: c.text } })));
    }
    const ext = r.extensions['https://w3id.org/etoolbox/xapi/extensions/scorm12-response'];
    assert.equal(r.response, ext.split(',').join('[,]').split('.').join('[.]').replace(/^t$/, 'true').replace(/^f$/, 'false'),
      `${tag}: response = the SCORM 1.2 response, converted`);
    assert.equal(typeof r.success, 'boolean');
  } else if (v === 'passed' || v === 'failed') {
    assert.deepEqual(Object.keys(r).sort(), ['completion', 'duration', 'score', 'success']);
    assert.deepEqual(r.score, { scaled: r.score.raw / 100, raw: r.score.raw, min: 0, max: 100 });
    assert.equal(r.success, v === 'passed');
    assert.equal(r.completion, true);
    assert.match(r.duration, ISO_DUR);
  } else if (v === 'completed') {
    assert.deepEqual(Object.keys(r).sort(), ['completion', 'duration']);
    assert.equal(r.completion, true);
  } else if (v === 'suspended' || v === 'terminated') {
    assert.deepEqual(Object.keys(r).sort(), ['duration']);
    assert.match(r.duration, ISO_DUR);
  } else {
    assert.ok(v === 'initialized' || v === 'resumed', `${tag}: a verb of the design`);
    assert.ok(!('result' in s), `${tag}: no result`);
  }
}

// The SCORM 1.2 session_time of a session, as the design converts it (§7).
function isoOfTimespan(ts) {
  const m = /^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/.exec(ts);
  let cs = ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 100 + (m[4] ? Number((m[4] + '0').slice(0, 2)) : 0);
  const h = Math.floor(cs / 360000); cs -= h * 360000;
  const mi = Math.floor(cs / 6000); cs -= mi * 6000;
  const s = Math.floor(cs / 100); const f = cs % 100;
  let out = 'PT' + (h ? h + 'H' : '') + (mi ? mi + 'M' : '');
  if (s || f) out += s + (f ? '.' + String(f).padStart(2, '0').replace(/0$/, '') : '') + 'S';
  return out === 'PT' ? 'PT0S' : out;
}

/* ------------------------------------------------------------------ the tests */

function register({ test: addTest, tmp, root, plain, scenarios, lrs = 'll' }) {
  const env = { started: null, children: [] };
  const ours = lrs === 'etoolbox';
  // the tests of this LRS are named after it; those that need no LRS run once, with 'll'
  const test = (name, fn, o) => addTest(ours ? name.replace(/^xAPI/, 'xAPI (etoolbox lrs)') : name, fn, o);
  const once = (name, fn, o) => { if (!ours) test(name, fn, o); };
  // the package's key (write) and the key the checks read with; the same one for 'll'
  const key = { write: 'etoolbox-browser:write-only-secret', read: null };
  key.read = key.write;
  const headers = (cred) => ({ 'X-Experience-API-Version': '1.0.3', Authorization: basic(cred) });
  const E = path.join(root, 'build', 'etoolbox');
  // etoolbox lrs key add|revoke ... on the server's database; returns what it printed
  const lrsKey = (...args) => {
    const r = spawnSync(E, ['lrs', 'key', ...args, '--db', env.db], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`etoolbox lrs key ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  // servers never outlive the suite, even when it stops early
  process.on('exit', () => { for (const c of env.children) if (c.exitCode === null) { try { c.kill('SIGKILL'); } catch (e) { /* gone */ } } });
  let pkgMap = null, origin = null;

  async function start() {
    const dir = fs.mkdtempSync(path.join(tmp, 'xapi-'));
    const lrsModules = path.join(root, 'tests', 'lrs', 'node_modules');
    try { require.resolve('xapi-statements/package.json', { paths: [lrsModules] }); } catch (e) {
      throw new Error('the LRS is not installed in tests/lrs/node_modules: run tools/lrs-install.sh');
    }
    let server;
    if (ours) {
      env.db = path.join(dir, 'lrs.db');
      key.write = lrsKey('add', '--scope', 'write', '--name', 'browser tests (write)');
      key.read = lrsKey('add', '--scope', 'read', '--name', 'browser tests (read)');
      server = await spawnReady(root, dir, 'lrs', E, ['lrs', '-q', '--db', env.db, '--listen', '127.0.0.1:0']);
    } else {
      server = await spawnReady(root, dir, 'lrs', 'lrs-start.js', ['--auth', key.write]);
    }
    env.children.push(server.child);
    env.lrs = server.info.lrs;
    const proxy = await spawnReady(root, dir, 'proxy', 'lrs-proxy.js', ['--target', env.lrs.replace(/\/xAPI\/$/, '')]);
    env.children.push(proxy.child);
    env.proxy = proxy.info.proxy.replace(/\/xAPI\/$/, '');
    env.shim = await lrsCors.start(env.proxy);
    // a port where nothing listens: the LRS down for a whole session
    env.deadEndpoint = `http://127.0.0.1:${await freePort()}/xAPI/`;
    const build = env.build = (name, endpoint, cred = key.write) => {
      const out = path.join(dir, name + '-zips');
      const envv = Object.assign({}, process.env, { ETOOLBOX_PACKAGE_AUTH: cred });
      const b = spawnSync(path.join(root, 'build', 'etoolbox'), ['build', '-q', '-o', out, '--lrs-endpoint', endpoint,
        '--lrs-home', HOME, path.join(root, 'content', 'jmdi-etoolbox')], { env: envv, encoding: 'utf8' });
      if (b.status !== 0) throw new Error(`etoolbox build --lrs-endpoint: ${b.stderr}`);
      const zip = fs.readdirSync(out).find((f) => /_core_[a-z-]+\.zip$/.test(f));
      const pdir = path.join(dir, name);
      const u = spawnSync('unzip', ['-q', path.join(out, zip), '-d', pdir], { encoding: 'utf8' });
      if (u.status !== 0) throw new Error(`unzip ${zip}: ${u.stderr}`);
      pkgMap[name] = pdir;
      return findPackages([pdir])[0];
    };
    env.pkg = build(`xapi-core-${lrs}`, env.shim.endpoint);
    if (!ours) env.downPkg = build('xapi-core-lrs-down', env.deadEndpoint);
    console.log(`# xAPI: LRS ${env.lrs} (${ours ? 'etoolbox lrs' : 'Learning Locker'}), fault proxy ${env.proxy}/xAPI/, CORS pass-through ${env.shim.endpoint}`);
  }
  const ready = () => { env.started = env.started || start(); return env.started; };

  // a new fault plan for the proxy (which refuses connections while a 'down' fault lasts)
  const plan = (p) => until('the fault proxy to take a plan',
    () => request(`${env.proxy}/_proxy/plan`, { method: 'POST', body: JSON.stringify(p) }).then((r) => r.status === 200, () => false), 10000, 100);
  // everything the LRS holds for an agent, following 'more'
  async function stored(agent) {
    let url = `${env.lrs}statements?agent=${encodeURIComponent(JSON.stringify(agent))}&limit=200&ascending=true`;
    const out = [];
    for (let i = 0; i < 50 && url; i++) {
      const r = await request(url, { headers: headers(key.read) });
      assert.equal(r.status, 200, `GET statements: ${r.text.slice(0, 200)}`);
      const j = JSON.parse(r.text);
      out.push(...j.statements);
      url = j.more ? new URL(j.more, env.lrs).href : '';
    }
    return out;
  }
  // what the browser sent for a registration (or all), one entry per id; every resend identical
  function emitted(pred) {
    const byId = new Map();
    for (const e of env.shim.log) {
      for (const s of e.statements || []) {
        if (pred && !pred(s)) continue;
        const j = JSON.stringify(s);
        if (byId.has(s.id)) assert.equal(byId.get(s.id), j, `statement ${s.id} is resent unchanged`);
        else byId.set(s.id, j);
      }
    }
    return [...byId.values()].map((j) => Object.assign(JSON.parse(j), { emitted: true }));
  }
  function validate(list, name) {
    const file = path.join(tmp, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(list.map((s) => { const c = Object.assign({}, s); delete c.emitted; return c; })));
    const r = spawnSync(process.execPath, [path.join(root, 'tools', 'lrs-validate.js'), '--strict', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `npm xapi-validation (tools/lrs-validate.js --strict): ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, new RegExp(`^${list.length} passed, 0 failed`, 'm'));
  }
  const account = (learner) => ({ objectType: 'Agent', account: { homePage: HOME, name: learner } });

  // a fresh test: the LRS reachable through the pass-through, no queue left in the browser
  async function begin(t) {
    await ready();
    t.allow(env.shim.origin);
    await plan({});
    const p = await t.newPage();
    await p.goto(t.origin + '/host/index.html');
    await p.evaluate((re) => { for (const k of Object.keys(localStorage)) if (new RegExp(re).test(k)) localStorage.removeItem(k); }, STORE_KEY.source);
    await p.close();
  }
  // the LMS launches the SCO for a learner; it hands over the manifest's adlcp:datafromlms as launch_data
  async function launch(t, pkg, learner, { cmi = null, launchData = true, query = '' } = {}) {
    const c = cmi || firstLaunchCmi(pkg);
    c.core.student_id = learner;
    if (launchData) c.launch_data = fs.readFileSync(path.join(pkg.dir, 'assets', 'lrs.json'), 'utf8');
    const page = await t.newPage();
    const notes = [];
    page.on('console', (m) => { if (/etoolbox xAPI/.test(m.text())) notes.push(m.text()); });
    const L = await new Launch(t, query ? Object.assign({}, pkg, { url: `${pkg.url}?${query}` }) : pkg).start({ cmi: c, page });
    L.notes = notes;
    return L;
  }
  const registration = (L) => L.ev(() => window.etoolboxXapi.registration());
  const idle = async (L) => { try { return await L.ev(() => window.etoolboxXapi.idle()); } catch (e) { return true; } };
  // waits until the LRS holds n statements for the agent and the emitter has nothing left
  async function delivered(agent, n, L, ms = 40000) {
    let last = [];
    await until(`${n} statements in the LRS`, async () => {
      last = await stored(agent);
      return last.length >= n && (!L || await idle(L));
    }, ms, 250);
    await sleep(300); // nothing more comes in
    return stored(agent);
  }
  function sameStatements(got, exp, what) {
    assert.deepEqual(got.map(describe).sort(), exp.lines.slice().sort(), `${what}: exactly the expected statements`);
    const ids = got.map((s) => s.id);
    assert.equal(new Set(ids).size, ids.length, `${what}: each id once`);
  }
  const sessionTime = async (L) => (await L.calls()).filter((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.core.session_time').pop().args[1];

  // A session starts (initialized) and the learner pages through to the end: each topic left is experienced.
  async function startAndWalk(L, exp) {
    const pages = L.data.pages;
    exp.module('initialized');
    for (let i = 1; i < pages.length; i++) {
      await L.next();
      if (pages[i - 1].kind === 'topic') exp.topic(pages[i - 1]);
    }
  }

  // A learner goes through the module: every page, a failed attempt, a retry, a pass, exit.
  async function failRetryPass(t, learner, exp, { between, beforeExit } = {}) {
    const pkg = env.pkg;
    const L = await launch(t, pkg, learner);
    const { questions: qs } = L.data;
    const mastery = L.data.module.mastery_score;
    await startAndWalk(L, exp);
    await L.openFromToc('page-quiz');
    const k = failingCount(qs.length, mastery);
    for (const [i, q] of qs.entries()) {
      const keys = Launch.response(q, i < k);
      await L.answer(q, keys);
      await L.check(q);
      exp.answer(q, keys, i < k);
    }
    const first = Math.round((100 * k) / qs.length);
    await L.submit();
    exp.score(first, mastery);
    if (between) await between(L);
    await L.retry();
    for (const q of qs) { const keys = Launch.response(q, true); await L.answer(q, keys); exp.answer(q, keys, true); }
    await L.submit(); // checks every question
    exp.score(100, mastery);
    exp.module('completed');
    if (beforeExit) await beforeExit(L);
    await L.exit();
    exp.module('terminated');
    assertCleanSession(await L.calls());
    assertFinalCmi(await L.cmi(), { status: 'passed', score: '100', exit: '', location: 'page-quiz' });
    return L;
  }

  test('xAPI: a learner visits every topic, fails, retries, passes and exits: the LRS holds exactly the expected statements, all valid', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    // what etoolbox build wrote: assets/lrs.json and the same JSON as adlcp:datafromlms
    const conf = JSON.parse(fs.readFileSync(path.join(pkg.dir, 'assets', 'lrs.json'), 'utf8'));
    assert.deepEqual(conf, { endpoint: env.shim.endpoint, auth: basic(key.write), lms_home: HOME, actor_name: false });
    const mf = fs.readFileSync(path.join(pkg.dir, 'imsmanifest.xml'), 'utf8');
    assert.ok(mf.includes(`<adlcp:datafromlms>${JSON.stringify(conf).replace(/"/g, '&quot;')}</adlcp:datafromlms>`), 'datafromlms');
    const learner = 'xapi-learner-pass';
    const exp = new Expect(pkg);
    const L = await failRetryPass(t, learner, exp);
    const reg = await registration(L);
    assert.match(reg, UUID4);
    const cmi = await L.cmi();
    assert.equal(cmi.suspend_data.split('|')[6], reg.replace(/-/g, ''), 'the registration is kept in suspend_data (7th field)');
    const got = await delivered(account(learner), exp.lines.length, L);
    sameStatements(got, exp, 'the LRS');
    const sent = emitted((s) => s.context.registration === reg);
    assert.deepEqual(sent.map((s) => s.id).sort(), got.map((s) => s.id).sort(), 'the LRS holds what the browser sent');
    for (const s of sent) assertShape(s, { pkg, reg, actor: account(learner) });
    for (const s of got) assertShape(s, { pkg, reg, actor: account(learner) });
    const term = sent.find((s) => s.verb.id === V + 'terminated');
    assert.equal(term.result.duration, isoOfTimespan(await sessionTime(L)), 'terminated: duration = cmi.core.session_time');
    const order = sent.slice().sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    assert.equal(order[0].verb.id, V + 'initialized', 'initialized first');
    assert.equal(order[order.length - 1].verb.id, V + 'terminated', 'terminated last');
    validate(sent, 'pass');
    assert.deepEqual(L.notes, [], 'no note from the emitter');
    console.log(`# ${got.length} statements: ${JSON.stringify(byVerb(got))}`);
  }, { unrouted: true });

  // issue 6, done when: a package with a write-only key, an analyst with a read key
  if (ours) test('xAPI: the package\'s write-only key posts but can\'t read; a read key can\'t write; `etoolbox statements` with a read key gives back what the learners did', async (t) => {
    await ready();
    const learner = 'xapi-learner-pass'; // played by the first test
    const dir = fs.mkdtempSync(path.join(tmp, 'analyst-'));
    const keyFile = (name, cred) => { const f = path.join(dir, name); fs.writeFileSync(f, cred + '\n', { mode: 0o600 }); return f; };
    let r = await request(`${env.lrs}statements?limit=1`, { headers: headers(key.write) });
    assert.equal(r.status, 403, `GET statements with the package's key: ${r.status} ${r.text.slice(0, 200)}`);
    r = await request(`${env.lrs}statements`, { method: 'POST', body: '[]', headers: Object.assign({ 'Content-Type': 'application/json' }, headers(key.read)) });
    assert.equal(r.status, 403, `POST statements with the read key: ${r.status} ${r.text.slice(0, 200)}`);
    const agent = JSON.stringify(account(learner));
    const denied = spawnSync(E, ['statements', '-q', '--lrs', env.lrs, '--auth-file', keyFile('write.key', key.write), '--agent', agent], { encoding: 'utf8' });
    assert.equal(denied.status, 4, `etoolbox statements with the write-only key exits 4: ${denied.stderr}`);
    assert.match(denied.stderr, /403/);
    assert.ok(!denied.stderr.includes(key.write.split(':')[1]), 'the secret is not in the message');
    const jl = spawnSync(E, ['statements', '-q', '--lrs', env.lrs, '--auth-file', keyFile('read.key', key.read), '--agent', agent], { encoding: 'utf8' });
    assert.equal(jl.status, 0, `etoolbox statements --agent: ${jl.stderr}`);
    const got = jl.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const direct = await stored(account(learner));
    assert.ok(direct.length > 0, 'the first test stored statements for its learner');
    assert.deepEqual(got, direct, 'etoolbox statements gives back exactly what the LRS holds for the learner, oldest first');
    const verbs = byVerb(got);
    for (const v of ['initialized', 'experienced', 'responded', 'failed', 'passed', 'completed', 'terminated']) assert.ok(verbs[v] > 0, `a ${v} statement`);
    const writeId = key.write.split(':')[0];
    for (const s of got) {
      assert.deepEqual(s.authority.account, { homePage: 'https://w3id.org/etoolbox/lrs/keys', name: writeId }, 'authority: the package\'s key');
    }
    const csv = spawnSync(E, ['statements', '-q', '--lrs', env.lrs, '--auth-file', keyFile('read.key', key.read), '--agent', agent, '--format', 'csv'], { encoding: 'utf8' });
    assert.equal(csv.status, 0, `etoolbox statements --format csv: ${csv.stderr}`);
    const rows = csv.stdout.trim().split('\n');
    assert.match(rows[0], /^timestamp,learner,verb,activity_id,/);
    assert.equal(rows.length, got.length + 1, 'one CSV row per statement');
    const passed = rows.filter((l) => l.includes(',passed,'));
    assert.equal(passed.length, 1, 'one passed row');
    assert.match(passed[0], /,,true,1,true,PT[0-9.HMS]+,/, 'passed: no response, success, score (scaled) 1, completion, duration');
    console.log(`# the analyst read ${got.length} statements back (${JSON.stringify(verbs)}), as JSON Lines and CSV`);
  }, { unrouted: true });

  // a key revoked while a learner is in the course: 401, and nothing is lost
  if (ours) test('xAPI: the package\'s key is revoked mid-session: 401, the emitter stops and keeps its queue, SCORM goes on; relaunched with a new key (launch parameters), every statement arrives once', async (t) => {
    await begin(t);
    const k1 = lrsKey('add', '--scope', 'write', '--name', 'to revoke');
    const pkg = env.build('xapi-core-revoked', env.shim.endpoint, k1);
    const learner = 'xapi-learner-revoked';
    const agent = account(learner);
    const exp = new Expect(pkg);
    const L1 = await launch(t, pkg, learner);
    const { pages, questions: qs } = L1.data;
    const topics = pages.filter((p) => p.kind === 'topic');
    exp.module('initialized');
    await L1.next(); // overview
    await L1.next(); // topic 1
    const before = await delivered(agent, 1, L1);
    assert.equal(before.length, 1, 'initialized is stored before the revocation');
    lrsKey('revoke', k1.split(':')[0]);
    await L1.next(); // topic 2
    exp.topic(topics[0]);
    await L1.openFromToc('page-quiz');
    exp.topic(topics[1]);
    const half = Math.ceil(qs.length / 2);
    for (const q of qs.slice(0, half)) { const keys = Launch.response(q, true); await L1.answer(q, keys); await L1.check(q); exp.answer(q, keys, true); }
    await until('the emitter to note the 401', () => L1.notes.some((n) => /refused the credentials \(401\)/.test(n)), 20000);
    const queued = await L1.ev(() => window.etoolboxXapi.pending().length);
    assert.equal(queued, exp.lines.length - 1, 'everything after the revocation is queued');
    assert.equal((await stored(agent)).length, 1, 'nothing stored after the revocation');
    await L1.leave();
    exp.module('suspended');
    const cmi1 = await L1.cmi();
    assertFinalCmi(cmi1, { status: 'incomplete', score: '', exit: 'suspend', location: 'page-quiz' });
    await sleep(500);
    const refused = env.shim.log.filter((e) => e.method === 'POST' && e.status === 401);
    assert.equal(refused.length, 1, 'the emitter stopped at the first 401 (no retry, no pagehide flush)');
    // the LMS launches again, with a new key in the launch parameters
    const k2 = lrsKey('add', '--scope', 'write', '--name', 'the new key');
    const q = new URLSearchParams({ endpoint: env.shim.endpoint, auth: basic(k2), actor: JSON.stringify(agent) }).toString();
    const L2 = await launch(t, pkg, learner, { cmi: relaunchCmi(pkg, cmi1), query: q });
    exp.module('resumed');
    for (const x of qs.slice(half)) { const keys = Launch.response(x, true); await L2.answer(x, keys); await L2.check(x); exp.answer(x, keys, true); }
    await L2.submit();
    exp.score(100, L2.data.module.mastery_score);
    exp.module('completed');
    await L2.exit();
    exp.module('terminated');
    assertFinalCmi(await L2.cmi(), { status: 'passed', score: '100', exit: '', location: 'page-quiz' });
    const got = await delivered(agent, exp.lines.length, L2);
    sameStatements(got, exp, 'after the new key');
    const reg = await registration(L2);
    const sent = emitted((s) => s.context.registration === reg);
    assert.deepEqual(sent.map((s) => s.id).sort(), got.map((s) => s.id).sort(), 'every statement made is stored, once');
    const by = new Set(got.map((s) => s.authority.account.name));
    assert.deepEqual([...by].sort(), [k1.split(':')[0], k2.split(':')[0]].sort(), 'authority: the revoked key, then the new one');
    console.log(`# ${refused.length} request refused after the revocation; ${queued + 1} statements waited for the new key`);
  }, { unrouted: true });

  test('xAPI: suspend and resume: suspended, then resumed with the same registration (kept in suspend_data) and the rest of the attempt', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    const learner = 'xapi-learner-resume';
    const exp = new Expect(pkg);
    const L1 = await launch(t, pkg, learner);
    const { pages, questions: qs } = L1.data;
    const topics = pages.filter((p) => p.kind === 'topic');
    exp.module('initialized');
    await L1.next(); // overview
    await L1.next(); // topic 1
    await L1.next(); // topic 2
    exp.topic(topics[0]);
    await L1.openFromToc('page-quiz');
    exp.topic(topics[1]);
    const half = Math.ceil(qs.length / 2);
    for (const q of qs.slice(0, half)) { const keys = Launch.response(q, true); await L1.answer(q, keys); await L1.check(q); exp.answer(q, keys, true); }
    const stay = topics[topics.length - 1];
    await L1.openFromToc(stay.id);
    await L1.leave(); // pagehide: the topic is left, LMSFinish with exit=suspend
    exp.topic(stay);
    exp.module('suspended');
    const cmi1 = await L1.cmi();
    assertFinalCmi(cmi1, { status: 'incomplete', score: '', exit: 'suspend', location: stay.id });
    const reg = cmi1.suspend_data.split('|')[6].replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
    assert.match(reg, UUID4, 'the registration is in suspend_data');
    const n1 = exp.lines.length;
    await delivered(account(learner), n1, null);

    const L2 = await launch(t, pkg, learner, { cmi: relaunchCmi(pkg, cmi1) });
    assert.equal(await registration(L2), reg, 'the same registration after the resume');
    exp.module('resumed');
    assert.equal(await L2.shownPage(), stay.id);
    await L2.openFromToc('page-quiz');
    exp.topic(stay);
    for (const q of qs.slice(half)) { const keys = Launch.response(q, true); await L2.answer(q, keys); await L2.check(q); exp.answer(q, keys, true); }
    await L2.submit();
    exp.score(100, L2.data.module.mastery_score);
    exp.module('completed');
    await L2.exit();
    exp.module('terminated');
    const cmi2 = await L2.cmi();
    assertFinalCmi(cmi2, { status: 'passed', score: '100', exit: '', location: 'page-quiz' });
    assert.equal(cmi2.suspend_data.split('|')[6], reg.replace(/-/g, ''));
    const got = await delivered(account(learner), exp.lines.length, L2);
    sameStatements(got, exp, 'two sessions');
    assert.deepEqual([...new Set(got.map((s) => s.context.registration))], [reg], 'one registration across the resume');
    const sent = emitted((s) => s.context.registration === reg);
    for (const s of sent) assertShape(s, { pkg, reg, actor: account(learner) });
    const susp = sent.find((s) => s.verb.id === V + 'suspended');
    const resumed = sent.find((s) => s.verb.id === V + 'resumed');
    assert.ok(susp.timestamp < resumed.timestamp, 'suspended before resumed');
    validate(sent, 'resume');
    console.log(`# ${got.length} statements over two sessions: ${JSON.stringify(byVerb(got))}`);
  }, { unrouted: true });

  test('xAPI faults: the LRS answers 503, drops connections and acknowledgements, is down, then answers 429 (Retry-After): every statement stored exactly once', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    const learner = 'xapi-learner-faults';
    const exp = new Expect(pkg);
    const from = env.shim.log.length;
    await plan({ status: { every: 3, code: 503 }, dropAfter: { every: 4 }, down: { afterWrites: 5, ms: 2500 } });
    let exitAt = Infinity;
    const L = await failRetryPass(t, learner, exp, {
      between: async () => { await plan({ status: { every: 2, code: 429, retryAfter: 1 }, dropBefore: { every: 5 } }); },
      beforeExit: async () => { exitAt = Date.now(); },
    });
    const got = await delivered(account(learner), exp.lines.length, L, 60000);
    sameStatements(got, exp, 'the LRS, after the faults');
    const reg = await registration(L);
    const sent = emitted((s) => s.context.registration === reg);
    assert.deepEqual(sent.map((s) => s.id).sort(), got.map((s) => s.id).sort(), 'every statement sent is stored, once');
    validate(sent, 'faults');
    const posts = env.shim.log.slice(from).filter((e) => e.method === 'POST');
    const count = (f) => posts.filter(f).length;
    const c503 = count((e) => e.status === 503), c429 = count((e) => e.status === 429), cut = count((e) => e.status === -1);
    assert.ok(c503 > 0 && c429 > 0 && cut > 0, `faults happened: 503 ${c503}, 429 ${c429}, connection cut or refused ${cut}`);
    // Retry-After: 1 is honoured: the next request comes a second later, not sooner. Not the
    // pagehide flush at exit: it goes out whatever the wait (its answers are never read, and
    // what it carries stays queued; see the pagehide test), so it may follow a 429 at once.
    posts.forEach((e, i) => {
      if (e.status === 429 && posts[i + 1] && posts[i + 1].t < exitAt) assert.ok(posts[i + 1].t - e.t >= 950, `the request after a 429 with Retry-After: 1 came ${posts[i + 1].t - e.t} ms later`);
    });
    const carried = posts.reduce((n, e) => n + (e.statements || []).length, 0);
    console.log(`# ${posts.length} POSTs carrying ${carried} statements: ${c503} × 503, ${c429} × 429, ${cut} cut or refused; ${got.length} statements stored, once each`);
  }, { unrouted: true });

  test('xAPI: the page is closed mid-queue (pagehide: keepalive flush under 64 KB), then relaunched: the remainder is delivered, each statement exactly once', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    const learner = 'xapi-learner-pagehide';
    const exp = new Expect(pkg);
    // every write refused with a long Retry-After: the statements pile up in the queue
    await plan({ status: { every: 1, code: 503, retryAfter: 600 } });
    const L1 = await launch(t, pkg, learner);
    const { questions: qs } = L1.data;
    const mastery = L1.data.module.mastery_score;
    await startAndWalk(L1, exp);
    await L1.openFromToc('page-quiz');
    for (let a = 0; a < 3; a++) { // three failed attempts: more than a keepalive flush may carry
      if (a) await L1.retry();
      for (const q of qs) { const keys = Launch.response(q, false); await L1.answer(q, keys); await L1.check(q); exp.answer(q, keys, false); }
      await L1.submit();
      exp.score(0, mastery);
    }
    const queued = await L1.ev(() => window.etoolboxXapi.pending().length);
    assert.equal(queued, exp.lines.length, 'everything so far is queued');
    assert.equal((await stored(account(learner))).length, 0, 'nothing stored yet');
    await plan({}); // the LRS is back, but the emitter waits for Retry-After
    const before = env.shim.log.length;
    await L1.leave(); // pagehide
    exp.module('suspended');
    await until('the keepalive flush', () => env.shim.log.slice(before).some((e) => e.method === 'POST' && e.status === 200), 8000)
      .catch(() => {});
    await sleep(500);
    const flushed = env.shim.log.slice(before).filter((e) => e.method === 'POST');
    const bytes = flushed.reduce((n, e) => n + e.bytes, 0);
    const first = await stored(account(learner));
    assert.ok(flushed.length > 0 && first.length > 0, 'the pagehide flush reached the LRS');
    assert.ok(bytes <= 64 * 1024, `keepalive bodies ${bytes} bytes <= 64 KB`);
    assert.ok(first.length < exp.lines.length, `mid-queue: ${first.length} of ${exp.lines.length} delivered at pagehide, the rest stays queued`);
    const left = await L1.page.evaluate((re) => Object.keys(localStorage).filter((k) => new RegExp(re).test(k) && /\.q\./.test(k)).length, STORE_KEY.source);
    assert.equal(left, exp.lines.length, 'every statement is still queued (a keepalive answer is never read)');

    const cmi1 = await L1.cmi();
    const L2 = await launch(t, pkg, learner, { cmi: relaunchCmi(pkg, cmi1) });
    exp.module('resumed');
    await L2.retry();
    for (const q of qs) { const keys = Launch.response(q, true); await L2.answer(q, keys); exp.answer(q, keys, true); }
    await L2.submit();
    exp.score(100, mastery);
    exp.module('completed');
    await L2.exit();
    exp.module('terminated');
    const got = await delivered(account(learner), exp.lines.length, L2);
    sameStatements(got, exp, 'after the relaunch');
    const reg = await registration(L2);
    const sent = emitted((s) => s.context.registration === reg);
    assert.deepEqual(sent.map((s) => s.id).sort(), got.map((s) => s.id).sort());
    const twice = first.filter((s) => env.shim.log.slice(before + flushed.length).some((e) => (e.statements || []).some((x) => x.id === s.id)));
    assert.equal(twice.length, first.length, 'what the flush delivered is sent again after the relaunch, and stored once');
    assert.equal(await L2.ev(() => window.etoolboxXapi.pending().length), 0, 'the queue is empty');
    validate(sent, 'pagehide');
    console.log(`# pagehide: ${flushed.length} keepalive POST(s), ${bytes} bytes, ${first.length} of ${queued + 1} queued statements delivered; the relaunch delivered the rest (${got.length} in all)`);
  }, { unrouted: true });

  test('xAPI: 400 for one statement is isolated by halving and set aside with the LRS\'s message; a 409 conflict is dropped; the rest is stored once', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    const learner = 'xapi-learner-rejects';
    const exp = new Expect(pkg);
    await plan({ status: { every: 1, code: 503, retryAfter: 600 } });
    const L = await launch(t, pkg, learner);
    const { questions: qs } = L.data;
    await startAndWalk(L, exp);
    await L.openFromToc('page-quiz');
    for (const q of qs) { const keys = Launch.response(q, true); await L.answer(q, keys); await L.check(q); exp.answer(q, keys, true); }
    const queue = await L.ev(() => window.etoolboxXapi.pending());
    assert.equal(queue.length, exp.lines.length);
    const bad = queue.filter((s) => s.verb.id === V + 'responded')[3];
    const clash = queue.filter((s) => s.verb.id === V + 'experienced')[1];
    // another statement with the clashing id is already in the LRS
    const other = JSON.parse(JSON.stringify(clash));
    other.result.duration = 'PT1H';
    const put = await request(`${env.lrs}statements`, { method: 'POST', body: JSON.stringify([other]), headers: Object.assign({ 'Content-Type': 'application/json' }, headers(key.write)) });
    assert.equal(put.status, 200, put.text);
    const from = env.shim.log.length;
    await plan({ reject: { ids: [bad.id], code: 400 } });
    await L.ev(() => window.dispatchEvent(new Event('online'))); // back online: no more waiting
    await L.submit();
    exp.score(100, L.data.module.mastery_score);
    exp.module('completed');
    await L.exit();
    exp.module('terminated');
    await until('the emitter to be idle', () => idle(L), 30000);
    const dead = await L.ev(() => window.etoolboxXapi.deadLetters());
    assert.equal(dead.length, 1, 'one dead letter');
    assert.equal(dead[0].statement.id, bad.id);
    assert.equal(dead[0].status, 400);
    assert.match(dead[0].error, new RegExp(`statement ${bad.id} is rejected`), 'the LRS\'s message is kept');
    assert.ok(L.notes.some((n) => n.includes(clash.id) && /409/.test(n)), 'the 409 is noted on the console');
    const got = await stored(account(learner));
    exp.lines.splice(exp.lines.indexOf(describe(bad)), 1);
    sameStatements(got, exp, 'all but the rejected one');
    assert.equal(got.find((s) => s.id === clash.id).result.duration, 'PT1H', 'the conflicting id keeps what the LRS had');
    const posts = env.shim.log.slice(from).filter((e) => e.method === 'POST');
    const n = queue.length;
    assert.ok(posts.length <= 1 + 2 * 2 * Math.ceil(Math.log2(n)) + 4, `${posts.length} requests isolate 2 bad statements among ${n}`);
    console.log(`# ${posts.length} requests isolated the 400 and the 409 among ${n} queued statements`);
  }, { unrouted: true });

  test('xAPI launch parameters (endpoint, auth, actor, registration) win over launch_data, straight to the LRS (its own CORS)', async (t) => {
    await begin(t);
    const pkg = env.pkg;
    t.allow(env.lrs);
    const reg = '6f1c0e2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b';
    const actor = { objectType: 'Agent', mbox: 'mailto:launched-learner@example.org' };
    const q = new URLSearchParams({ endpoint: env.lrs, auth: basic(key.write), actor: JSON.stringify(actor), registration: reg }).toString();
    const from = env.shim.log.length;
    const L = await launch(t, pkg, 'xapi-learner-launch', { query: q });
    assert.equal(await registration(L), reg, 'the launch registration');
    await L.next();
    await L.next(); // the first topic
    const topic = L.data.pages[2];
    await L.exit();
    const exp = new Expect(pkg);
    exp.module('resumed');
    exp.topic(topic);
    exp.module('suspended');
    const got = await delivered(actor, exp.lines.length, L);
    sameStatements(got, exp, 'launched with parameters');
    for (const s of got) assert.equal(s.context.registration, reg);
    const cmi = await L.cmi();
    assert.equal(cmi.suspend_data.split('|')[6], reg.replace(/-/g, ''), 'the launch registration is kept in suspend_data');
    assert.equal(env.shim.log.slice(from).filter((e) => e.method === 'POST').length, 0, 'nothing went to the built-in endpoint');
    validate(got.map((s) => { const c = Object.assign({}, s); delete c.stored; delete c.authority; delete c.version; return c; }), 'launch');
  }, { unrouted: true });

  once('xAPI: a package built without LRS settings makes no request outside its files, stores nothing and shows nothing about xAPI', async (t) => {
    const pkg = plain;
    assert.ok(!('lrs_config' in pkg.data) && !fs.existsSync(path.join(pkg.dir, 'assets', 'lrs.json')));
    const host = await t.newPage();
    await host.goto(t.origin + '/host/index.html');
    const keysBefore = await host.evaluate(() => Object.keys(localStorage).sort());
    const page = await t.newPage();
    const requests = [];
    const notes = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => { if (/xapi|lrs/i.test(m.text())) notes.push(m.text()); });
    const L = await new Launch(t, pkg).start({ page });
    const status = await L.statusText();
    await L.next();
    await L.next();
    await L.openFromToc('page-quiz');
    for (const q of L.data.questions) await L.answer(q, Launch.response(q, true));
    await L.submit();
    await L.exit();
    await sleep(500);
    const outside = requests.filter((u) => !u.startsWith(`${t.origin}/pkg/${pkg.name}/`) && !u.startsWith(`${t.origin}/host/`));
    assert.deepEqual(outside, [], 'no request but the package\'s own files');
    assert.deepEqual(requests.filter((u) => /lrs\.json|\/xAPI\//i.test(u)), []);
    assert.equal(await L.ev(() => window.etoolboxXapi.active()), false);
    assert.equal(await L.ev(() => window.etoolbox.registration()), null);
    const keys = await L.page.evaluate(() => Object.keys(localStorage).sort());
    assert.deepEqual(keys, keysBefore, 'nothing new in localStorage');
    assert.deepEqual(notes, [], 'nothing on the console');
    const shown = (status + await L.ev(() => document.body.innerText)).match(/.{0,40}(xAPI|\bLRS\b|learning record).{0,40}/i);
    assert.equal(shown, null, 'nothing shown about xAPI');
    const cmi = await L.cmi();
    assert.equal(cmi.suspend_data.split('|').length, 6, 'suspend_data as before (six fields)');
  }, { unrouted: true });

  once('xAPI: with the LRS down for whole sessions, the SCORM results are unchanged (pass, retry and resume scenarios) and the statements wait in the queue', async (t) => {
    await ready();
    const pkg = env.downPkg;
    t.allow(env.deadEndpoint);
    const clear = async () => {
      const p = await t.newPage();
      await p.goto(t.origin + '/host/index.html');
      const n = await p.evaluate((re) => { const k = Object.keys(localStorage).filter((x) => new RegExp(re).test(x)); k.forEach((x) => localStorage.removeItem(x)); return k.length; }, STORE_KEY.source);
      await p.close();
      return n;
    };
    await clear();
    await scenarios.scenarioPass(t, pkg);
    await scenarios.scenarioRetry(t, pkg);
    await scenarios.scenarioResume(t, pkg);
    const queued = await clear();
    // pass 18 (1+5+10+2), retry 25 (1+10+1+10+3), resume 2 sessions: 10 questions, 5+ topics
    assert.ok(queued >= 18 + 25 + 20, `${queued} statements queued for later`);
    console.log(`# ${queued} statements queued while the LRS was unreachable`);
  }, { unrouted: true });

  return {
    setup(o) { pkgMap = o.pkgMap; origin = o.origin; },
    async teardown() {
      if (env.shim) await env.shim.close();
      for (const c of env.children) {
        if (c.exitCode !== null) continue;
        c.kill('SIGTERM');
        for (let i = 0; i < 30 && c.exitCode === null; i++) await sleep(100);
        if (c.exitCode === null) c.kill('SIGKILL');
      }
    },
    origin: () => origin,
  };
}

module.exports = { register };
