#!/usr/bin/env node
// lrs-proxy.js -- a fault-injecting HTTP proxy in front of a real LRS, for
// tests/lrs/run.sh. Listens on 127.0.0.1 only.
//
//   node tools/lrs-proxy.js --target http://127.0.0.1:PORT [--port N]
//        [--ready-file F] [--plan JSON]
//
// Prints {"proxy":"http://127.0.0.1:PORT/xAPI/","port":PORT,"pid":PID} when
// listening (and writes it to --ready-file). Every request is forwarded to
// the target unchanged, unless the fault plan says otherwise. The plan
// counts statement writes (POST or PUT to .../statements), numbered from 1:
//   {"status": {"every": 3, "code": 503, "retryAfter": 1}}
//        every 3rd write is answered 503 (or 429, 500...) with Retry-After:
//        1 (omit retryAfter for none) and not forwarded
//   {"dropBefore": {"every": 5}}  every 5th write: the connection is cut
//        before forwarding (nothing stored)
//   {"dropAfter": {"every": 7}}   every 7th write is forwarded and stored,
//        then the connection is cut before the answer (the ack is lost)
//   {"down": {"afterWrites": 4, "ms": 3000}}  after the 4th write the
//        proxy stops listening for 3 s (connection refused), once
//   {"maxStatements": 10}  a write of more statements gets 413
//   {"delayMs": 50}        each forwarded write waits this long first
//   {"reject": {"ids": [..], "code": 400}}  a write holding one of these
//        statement ids gets that code with a message naming the id
// Control (not forwarded): GET /_proxy/log -> the request log as a JSON
// array of {seq, method, path, write, n, ids, status, fault};
// POST /_proxy/plan with a plan as body replaces the plan and resets the
// write counter; POST /_proxy/reset also clears the log.
'use strict';
const http = require('http');
const fs = require('fs');

const args = process.argv.slice(2);
let target = null, port = 0, readyFile = null, plan = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--target') target = new URL(args[++i]);
  else if (a === '--port') port = Number(args[++i]);
  else if (a === '--ready-file') readyFile = args[++i];
  else if (a === '--plan') plan = JSON.parse(args[++i]);
  else { console.error(`lrs-proxy: unknown argument '${a}'`); process.exit(2); }
}
if (!target || target.hostname !== '127.0.0.1') {
  console.error('lrs-proxy: --target must be an http://127.0.0.1:PORT URL');
  process.exit(2);
}

let log = [], seq = 0, writes = 0, downDone = false;
const sockets = new Set();
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

function every(rule, n) {
  return rule && rule.every > 0 && n % rule.every === 0;
}

function idsOf(body) {
  try {
    const j = JSON.parse(body.toString('utf8'));
    const list = Array.isArray(j) ? j : [j];
    return list.map((s) => (s && typeof s === 'object' ? s.id || null : null));
  } catch (e) {
    return null;
  }
}

function reply(res, code, obj, headers) {
  const body = JSON.stringify(obj);
  res.writeHead(code, Object.assign({
    'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3',
    'Content-Length': Buffer.byteLength(body),
  }, headers || {}));
  res.end(body);
}

function goDown(ms) {
  server.close();
  for (const s of sockets) s.destroy();
  setTimeout(() => server.listen(port, '127.0.0.1'), ms);
}

function forward(req, res, body, entry, after) {
  const headers = Object.assign({}, req.headers);
  headers.host = target.host;
  const up = http.request({
    host: target.hostname, port: target.port, method: req.method,
    path: req.url, headers, agent,
  }, (ur) => {
    const chunks = [];
    ur.on('data', (c) => chunks.push(c));
    ur.on('end', () => {
      entry.status = ur.statusCode;
      if (after) { // stored, but the client never hears it
        entry.fault = 'dropAfter';
        req.socket.destroy();
        return;
      }
      const h = Object.assign({}, ur.headers);
      delete h['transfer-encoding'];
      delete h.connection;
      res.writeHead(ur.statusCode, h);
      res.end(Buffer.concat(chunks));
    });
  });
  up.on('error', (e) => {
    entry.status = 502;
    entry.fault = 'upstream: ' + e.code;
    reply(res, 502, { message: 'proxy: upstream error ' + e.code });
  });
  up.end(body);
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const path = req.url.split('?')[0];
    if (path.startsWith('/_proxy/')) {
      if (path === '/_proxy/log') return reply(res, 200, log);
      if (path === '/_proxy/plan' && req.method === 'POST') {
        plan = JSON.parse(body.toString('utf8') || '{}');
        writes = 0;
        downDone = false;
        return reply(res, 200, { ok: true });
      }
      if (path === '/_proxy/reset' && req.method === 'POST') {
        plan = {}; log = []; seq = 0; writes = 0; downDone = false;
        return reply(res, 200, { ok: true });
      }
      return reply(res, 404, { message: 'unknown control' });
    }
    const isWrite = /\/statements$/.test(path) && (req.method === 'POST' || req.method === 'PUT');
    const entry = { seq: ++seq, method: req.method, path, write: 0, n: 0, ids: null, status: 0, fault: null };
    log.push(entry);
    if (!isWrite) return forward(req, res, body, entry, false);
    const n = ++writes;
    entry.write = n;
    entry.ids = idsOf(body);
    entry.n = entry.ids ? entry.ids.length : 0;
    if (plan.down && !downDone && n > plan.down.afterWrites) {
      downDone = true;
      entry.fault = 'down';
      req.socket.destroy();
      goDown(plan.down.ms);
      return;
    }
    if (plan.status && every(plan.status, n)) {
      entry.status = plan.status.code;
      entry.fault = 'status';
      const h = plan.status.retryAfter !== undefined ? { 'Retry-After': String(plan.status.retryAfter) } : {};
      return reply(res, plan.status.code, { message: `proxy: injected ${plan.status.code}` }, h);
    }
    if (every(plan.dropBefore, n)) {
      entry.fault = 'dropBefore';
      req.socket.destroy();
      return;
    }
    if (plan.maxStatements && entry.n > plan.maxStatements) {
      entry.status = 413;
      entry.fault = 'maxStatements';
      return reply(res, 413, { message: `proxy: more than ${plan.maxStatements} statements` });
    }
    if (plan.reject && entry.ids) {
      const bad = entry.ids.find((id) => plan.reject.ids.includes(id));
      if (bad) {
        entry.status = plan.reject.code || 400;
        entry.fault = 'reject';
        return reply(res, entry.status, { message: `proxy: statement ${bad} is rejected` });
      }
    }
    const go = () => forward(req, res, body, entry, every(plan.dropAfter, n));
    if (plan.delayMs) setTimeout(go, plan.delayMs); else go();
  });
});
server.on('connection', (s) => {
  sockets.add(s);
  s.on('close', () => sockets.delete(s));
});
server.keepAliveTimeout = 30000;
server.listen(port, '127.0.0.1', () => {
  port = server.address().port;
  const line = JSON.stringify({ proxy: `http://127.0.0.1:${port}/xAPI/`, port, pid: process.pid });
  if (readyFile) fs.writeFileSync(readyFile, line + '\n');
  console.log(line);
});
const stop = () => { server.close(); for (const s of sockets) s.destroy(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
