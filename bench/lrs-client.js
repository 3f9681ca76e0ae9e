#!/usr/bin/env node
// lrs-client.js -- the one client of bench/lrs.sh: post the statements of a
// JSON Lines file to an LRS, sequentially, and print the seconds it took.
//
//   node bench/lrs-client.js --lrs URL --auth KEY:SECRET --file F [--batch N]
//                            [--from I] [--count N] [--variant K] [--seconds S]
//
// The batches (N statements per POST, 1 = one statement per request as a
// JSON object) are serialized before the clock starts and posted by Node's
// http module over one kept-alive socket, each after the previous answer:
// the time is (almost) all the LRS's. Any answer but 200 stops it with exit
// status 1. --from/--count take a slice of the file. --variant K (1, 2, ...)
// makes other statements of the same shapes: every UUID (ids,
// registrations, attempts) and learner name is changed in a way that
// depends on K, so that K = 1..9 turn 100,000 statements into a million
// different ones. --seconds S stops sending after S seconds. It prints
// "SECONDS STATEMENTS": the time and how many statements were sent.
'use strict';
const fs = require('fs');
const http = require('http');

const o = { batch: 100, from: 0, count: Infinity, variant: 0, seconds: 0 };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) o[args[i].replace(/^--/, '')] = args[i + 1];
o.batch = Number(o.batch);
o.from = Number(o.from);
o.count = Number(o.count);
o.variant = Number(o.variant);
o.seconds = Number(o.seconds);
const lines = fs.readFileSync(o.file, 'utf8').split('\n').filter((l) => l.trim());
let slice = lines.slice(o.from, o.from + Math.min(o.count, lines.length));
if (o.variant) {
  const x = (Math.imul(o.variant, 0x9e3779b1) >>> 0);
  const uuid = /\b([0-9a-f]{8})(-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b/g;
  slice = slice.map((l) => l.replace(uuid, (m, a, b) => ((parseInt(a, 16) ^ x) >>> 0).toString(16).padStart(8, '0') + b)
    .replace(/learner-(\d+)/g, (m, d) => `learner-${o.variant}${d}`));
}
const bodies = [];
for (let i = 0; i < slice.length; i += o.batch) {
  const part = slice.slice(i, i + o.batch);
  bodies.push(Buffer.from(o.batch === 1 ? part[0] : '[' + part.join(',') + ']'));
}
const u = new URL(o.lrs.replace(/\/?$/, '/') + 'statements');
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const auth = 'Basic ' + Buffer.from(o.auth).toString('base64');
function post(body) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length,
        'X-Experience-API-Version': '1.0.3', Authorization: auth },
    }, (res) => {
      let text = '';
      res.on('data', (c) => { if (text.length < 300) text += c; });
      res.on('end', () => (res.statusCode === 200 ? resolve()
        : reject(new Error(`status ${res.statusCode}: ${text}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
}
(async () => {
  const t0 = process.hrtime.bigint();
  let sent = 0;
  for (let i = 0; i < bodies.length; i++) {
    await post(bodies[i]);
    sent += Math.min(o.batch, slice.length - i * o.batch);
    if (o.seconds && Number(process.hrtime.bigint() - t0) / 1e9 >= o.seconds) break;
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(s.toFixed(3) + ' ' + sent);
  agent.destroy();
})().catch((e) => { console.error('lrs-client: ' + e.message); process.exit(1); });
