'use strict';
// A small static server on 127.0.0.1 (random free port): each unzipped package under
// /pkg/<name>/ (pkgs maps name -> directory), the test LMS page under /host/, scorm-again and axe-core from node_modules.
const http = require('http');
const fs = require('fs');
const path = require('path');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.xml': 'application/xml', '.xsd': 'application/xml', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8', '.pdf': 'application/pdf',
};

function inside(root, rel) {
  const p = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  return p === root || p.startsWith(root + path.sep) ? p : null;
}

function start({ pkgs, hostDir, files }) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    const pathname = decodeURIComponent(url.pathname);
    requests.push(pathname);
    let file = null;
    if (files[pathname]) file = files[pathname];
    else if (pathname.startsWith('/pkg/')) {
      const name = pathname.slice(5).split('/')[0];
      if (pkgs[name]) file = inside(pkgs[name], pathname.slice(5 + name.length + 1));
    }
    else if (pathname.startsWith('/host/')) file = inside(hostDir, pathname.slice(6));
    if (file && fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (!file || !fs.existsSync(file)) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
    res.writeHead(200, { 'content-type': TYPES[path.extname(file).toLowerCase()] || 'application/octet-stream', 'cache-control': 'no-store' });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const origin = `http://127.0.0.1:${server.address().port}`;
      resolve({ origin, requests, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

module.exports = { start };
