#!/usr/bin/env node
// xapi-send.js -- the comparison side of bench/send.sh: send the statements
// of a JSON Lines file to an LRS in batches, sequentially, and print the
// seconds it took.
//
//   node bench/xapi-send.js --client xapi|raw --lrs URL --file F [--batch 100]
//
// --client xapi  npm @xapi/xapi 3.0.3: sendStatements({statements}) per batch
//                (its default axios adapter, keep-alive like etoolbox)
// --client raw   the LRS's own ceiling: the batches serialized beforehand and
//                posted by Node's http module over one kept-alive socket, so
//                the time is (almost) all the LRS's
'use strict';
const fs = require('fs');
const path = require('path');
const http = require('http');

const args = process.argv.slice(2);
const o = { client: 'xapi', batch: 100 };
for (let i = 0; i < args.length; i++) {
  const k = args[i].replace(/^--/, '');
  o[k] = args[++i];
}
o.batch = Number(o.batch);
const modules = path.join(__dirname, '..', 'tests', 'lrs', 'node_modules');
const statements = fs.readFileSync(o.file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
const batches = [];
for (let i = 0; i < statements.length; i += o.batch) batches.push(statements.slice(i, i + o.batch));

async function viaXapi() {
  const XAPI = require(require.resolve('@xapi/xapi', { paths: [modules] }));
  const x = new XAPI({ endpoint: o.lrs, auth: XAPI.toBasicAuth('bench', 'bench') });
  const t0 = process.hrtime.bigint();
  for (const b of batches) await x.sendStatements({ statements: b });
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function viaRaw() {
  const u = new URL(o.lrs + 'statements');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const bodies = batches.map((b) => Buffer.from(JSON.stringify(b)));
  const auth = 'Basic ' + Buffer.from('bench:bench').toString('base64');
  const post = (body) => new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', agent,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length,
        'X-Experience-API-Version': '1.0.3', Authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error('status ' + res.statusCode))));
    });
    req.on('error', reject);
    req.end(body);
  });
  const t0 = process.hrtime.bigint();
  return bodies.reduce((p, b) => p.then(() => post(b)), Promise.resolve())
    .then(() => Number(process.hrtime.bigint() - t0) / 1e9);
}

(o.client === 'raw' ? viaRaw() : viaXapi()).then((s) => {
  console.log(s.toFixed(3));
  process.exit(0);
}).catch((e) => { console.error('xapi-send: ' + (e && e.message)); process.exit(1); });
