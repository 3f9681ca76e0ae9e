#!/usr/bin/env node
// lrs-query.js -- query latency of an LRS for bench/lrs.sh: each query of
// a list, a number of times, over one kept-alive connection; prints one
// line of JSON per query: {"name","ms":{"median","p95","max"},"count"}.
//
//   node bench/lrs-query.js --lrs URL --auth KEY:SECRET --queries FILE [--runs N]
//
// FILE is JSON: [{"name": "...", "query": {"verb": "...", ...}, "more": false}, ...];
// with "more": true the time is that of the second page (the first page's
// 'more' link, followed). The time is from sending the request to the
// last byte of the answer. Any answer but 200 stops it with exit status 1.
'use strict';
const fs = require('fs');
const http = require('http');

const o = { runs: 21 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) o[args[i].replace(/^--/, '')] = args[i + 1];
o.runs = Number(o.runs);
const base = new URL(o.lrs.replace(/\/?$/, '/'));
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const auth = 'Basic ' + Buffer.from(o.auth).toString('base64');
function get(path) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: base.hostname, port: base.port, path, agent,
      headers: { 'X-Experience-API-Version': '1.0.3', Authorization: auth } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        const text = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200) return reject(new Error(`${path}: status ${res.statusCode} ${text.slice(0, 200)}`));
        resolve({ ms, json: JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}
function qs(q) {
  return Object.entries(q).map(([k, v]) => encodeURIComponent(k) + '=' +
    encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))).join('&');
}
const pct = (a, p) => a[Math.min(a.length - 1, Math.floor(p * a.length))];
(async () => {
  const queries = JSON.parse(fs.readFileSync(o.queries, 'utf8'));
  for (const q of queries) {
    const path = base.pathname + 'statements?' + qs(q.query);
    const times = [];
    let count = 0;
    for (let i = 0; i < o.runs + 1; i++) {
      let r = await get(path);
      if (q.more) {
        if (!r.json.more) throw new Error(q.name + ': no second page');
        r = await get(r.json.more);
      }
      count = r.json.statements.length;
      if (i) times.push(r.ms); // the first run warms up
    }
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({ name: q.name, count, ms: { median: +pct(times, 0.5).toFixed(2),
      p95: +pct(times, 0.95).toFixed(2), max: +times[times.length - 1].toFixed(2) } }));
  }
  agent.destroy();
})().catch((e) => { console.error('lrs-query: ' + e.message); process.exit(1); });
