'use strict';
// An in-process pass-through on 127.0.0.1 in front of tools/lrs-proxy.js, for the browser's
// xAPI tests. The package's pages and the LRS are on different origins (as in an LMS), so
// the browser only shows the emitter an answer that carries CORS headers: the LRS itself
// sends them, but the answers the fault proxy injects (503, 429 with Retry-After, 400) do
// not, and the browser would turn each into a bare network error. This adds them to every
// answer (and exposes Retry-After), answers preflights itself, and records every request
// with its time and the statements it carried, which are exactly what the browser emitted.
// When the target refuses or drops the connection, the browser's connection is dropped too.
const http = require('http');

function start(target) {
  const t = new URL(target);
  const log = [];
  const sockets = new Set();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const cors = {
        'Access-Control-Allow-Origin': req.headers.origin || '*',
        'Access-Control-Expose-Headers': 'Retry-After, X-Experience-API-Version',
        Vary: 'Origin',
      };
      const entry = { t: Date.now(), method: req.method, path: req.url.split('?')[0], bytes: body.length, status: 0, statements: null };
      log.push(entry);
      if (req.method === 'OPTIONS') {
        entry.status = 204;
        res.writeHead(204, Object.assign(cors, {
          'Access-Control-Allow-Methods': 'GET, POST, PUT, OPTIONS',
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] || '',
          'Access-Control-Max-Age': '0',
        }));
        return res.end();
      }
      if (req.method === 'POST') {
        try { const j = JSON.parse(body.toString('utf8')); entry.statements = Array.isArray(j) ? j : [j]; } catch (e) { entry.statements = null; }
      }
      const headers = Object.assign({}, req.headers, { host: t.host });
      delete headers.origin; // the fault proxy and the LRS behind it see a plain client
      const up = http.request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers, agent: false }, (ur) => {
        const out = [];
        ur.on('data', (c) => out.push(c));
        ur.on('end', () => {
          entry.status = ur.statusCode;
          const h = Object.assign({}, ur.headers);
          for (const k of ['access-control-allow-origin', 'access-control-expose-headers', 'vary', 'transfer-encoding', 'connection']) delete h[k];
          res.writeHead(ur.statusCode, Object.assign(h, cors));
          res.end(Buffer.concat(out));
        });
        ur.on('error', () => { entry.status = -1; req.socket.destroy(); });
      });
      up.on('error', (e) => { entry.status = -1; entry.error = e.code; req.socket.destroy(); });
      up.end(body);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin, endpoint: origin + '/xAPI/', log,
        close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
      });
    });
  });
}

module.exports = { start };
