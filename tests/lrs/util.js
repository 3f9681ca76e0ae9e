#!/usr/bin/env node
// util.js -- small helpers for tests/lrs/run.sh
//
//   node util.js ids FILE              ids of the statements in FILE (JSON
//                                      array, JSON Lines, '-' = stdin)
//   node util.js same-ids A B          exit 0 when A and B hold the same
//                                      set of ids and neither repeats one;
//                                      prints what differs
//   node util.js proxy-log URL         the proxy's request log, JSON
//   node util.js acked URL             ids of writes the LRS answered 200
//                                      to and the client heard
//   node util.js writes URL [STATUS]   number of writes (with that status)
//   node util.js posted-ids URL        ids of every write, as sent
//   node util.js plan URL JSON         set the proxy's fault plan
//   node util.js wait-acked URL N S    wait until N writes were acked (at
//                                      most S seconds); exit 1 on timeout
//   node util.js field FILE KEY        KEY of each JSON line of FILE
//   node util.js doc-examples FILE     the JSON statements of a Markdown
//                                      file's ```json blocks, as an array
'use strict';
const fs = require('fs');
const http = require('http');

function read(f) { return fs.readFileSync(f === '-' ? 0 : f, 'utf8'); }
function statements(text) {
  const t = text.trim();
  if (!t) return [];
  if (t[0] === '[') return JSON.parse(t);
  return t.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
}
function get(url, path, method, body) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ host: u.hostname, port: u.port, path, method: method || 'GET',
      headers: { 'Content-Type': 'application/json' } }, (res) => {
      const c = [];
      res.on('data', (d) => c.push(d));
      res.on('end', () => resolve(Buffer.concat(c).toString('utf8')));
    });
    req.on('error', reject);
    req.end(body || undefined);
  });
}
async function log(url) { return JSON.parse(await get(url, '/_proxy/log')); }

const [cmd, a, b, c] = process.argv.slice(2);
(async () => {
  switch (cmd) {
    case 'ids':
      for (const s of statements(read(a))) console.log(s.id);
      break;
    case 'same-ids': {
      const x = statements(read(a)).map((s) => s.id), y = statements(read(b)).map((s) => s.id);
      const sx = new Set(x), sy = new Set(y);
      const problems = [];
      if (sx.size !== x.length) problems.push(`${a} repeats ${x.length - sx.size} ids`);
      if (sy.size !== y.length) problems.push(`${b} repeats ${y.length - sy.size} ids`);
      const onlyX = [...sx].filter((i) => !sy.has(i)), onlyY = [...sy].filter((i) => !sx.has(i));
      if (onlyX.length) problems.push(`${onlyX.length} only in ${a}, e.g. ${onlyX[0]}`);
      if (onlyY.length) problems.push(`${onlyY.length} only in ${b}, e.g. ${onlyY[0]}`);
      console.log(problems.length ? problems.join('; ') : `${x.length} ids, the same`);
      process.exit(problems.length ? 1 : 0);
      break;
    }
    case 'proxy-log':
      console.log(JSON.stringify(await log(a)));
      break;
    case 'acked':
      for (const e of await log(a)) if (e.write && e.status === 200 && !e.fault) for (const id of e.ids || []) console.log(id);
      break;
    case 'writes':
      console.log((await log(a)).filter((e) => e.write && (b === undefined || String(e.status) === b)).length);
      break;
    case 'posted-ids':
      for (const e of await log(a)) if (e.write) for (const id of e.ids || []) console.log(id);
      break;
    case 'plan':
      await get(a, '/_proxy/plan', 'POST', b);
      break;
    case 'wait-acked': {
      const until = Date.now() + Number(c) * 1000;
      for (;;) {
        const n = (await log(a)).filter((e) => e.write && e.status === 200 && !e.fault).length;
        if (n >= Number(b)) break;
        if (Date.now() > until) process.exit(1);
        await new Promise((r) => setTimeout(r, 20));
      }
      break;
    }
    case 'field':
      for (const l of read(a).split('\n').filter((x) => x.trim())) {
        const v = JSON.parse(l)[b];
        console.log(typeof v === 'string' ? v : JSON.stringify(v));
      }
      break;
    case 'doc-examples': {
      const out = [];
      const re = /```json\n([\s\S]*?)```/g;
      let m;
      const md = read(a);
      while ((m = re.exec(md))) {
        const j = JSON.parse(m[1]);
        if (j && j.actor && j.verb) out.push(j);
      }
      console.log(JSON.stringify(out, null, 1));
      break;
    }
    default:
      console.error('util.js: unknown command ' + cmd);
      process.exit(2);
  }
})().catch((e) => { console.error(String(e)); process.exit(2); });
