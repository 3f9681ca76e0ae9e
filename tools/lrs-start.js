#!/usr/bin/env node
// lrs-start.js -- run Learning Locker's xapi-statements LRS (npm, GPL-3.0,
// installed by tools/lrs-install.sh into tests/lrs/node_modules) in memory,
// listening on 127.0.0.1 only.
//
//   node tools/lrs-start.js [--port N] [--auth USER:PASS] [--ready-file F]
//
// --port 0 (the default) takes a free port. When listening, it prints one
// line of JSON to stdout -- {"lrs":"http://127.0.0.1:PORT/xAPI/","port":PORT,
// "pid":PID} -- and writes the same line to --ready-file when given.
// --auth makes it require that HTTP Basic credential (401 otherwise);
// without it any credential, or none, is accepted. Statements live in
// memory (attachments too) and are gone when the process ends (SIGTERM or
// SIGINT).
'use strict';
const path = require('path');
const fs = require('fs');

const args = process.argv.slice(2);
const opt = { port: 0, auth: null, readyFile: null };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--port') opt.port = Number(args[++i]);
  else if (a === '--auth') opt.auth = args[++i];
  else if (a === '--ready-file') opt.readyFile = args[++i];
  else { console.error(`lrs-start: unknown argument '${a}'`); process.exit(2); }
}
if (!Number.isInteger(opt.port) || opt.port < 0 || opt.port > 65535) {
  console.error('lrs-start: --port wants 0..65535'); process.exit(2);
}

// The package reads its configuration from the environment when loaded.
const scratch = path.join(require('os').tmpdir(), `etoolbox-lrs-${process.pid}`);
Object.assign(process.env, {
  MODELS_REPO: 'memory', STORAGE_REPO: 'memory', AUTH_REPO: 'test',
  EVENTS_REPO: 'test', SERVICE_AWAIT_UPDATES: 'true',
  AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE: '1',
  WINSTON_CONSOLE_LEVEL: process.env.WINSTON_CONSOLE_LEVEL || 'error',
  // nothing is written under the current folder: access logs go to a
  // scratch folder that is removed on exit
  FS_LOCAL_STORAGE_DIR: scratch,
  EXPRESS_MORGAN_DIRECTORY: scratch,
});
process.on('exit', () => { try { fs.rmSync(scratch, { recursive: true, force: true }); } catch (e) { /* gone */ } });

const modules = process.env.ETOOLBOX_LRS_NODE_MODULES ||
  path.join(__dirname, '..', 'tests', 'lrs', 'node_modules');
let dist;
try {
  dist = path.join(path.dirname(require.resolve('xapi-statements/package.json',
    { paths: [modules] })), 'dist');
} catch (e) {
  console.error(`lrs-start: xapi-statements is not installed in ${modules}; run tools/lrs-install.sh`);
  process.exit(3);
}
const load = (m) => require(path.join(dist, m));

// Work around a paging bug of the memory store: it sorts a page by
// (stored, _id) but its 'more' cursor compares _id alone, and _id is a
// version 1 UUID, whose text order is not time order (its low time bits come
// first and wrap every 7 minutes). Across a wrap, following 'more' skips
// statements. _id only needs to be unique; a counter that grows as
// statements are stored makes the cursor agree with the sort.
const uuidModule = require(require.resolve('uuid',
  { paths: [path.join(dist, 'repo', 'modelsRepo', 'createStatements')] }));
let idSeq = 0;
uuidModule.v1 = () => 'm' + String(++idSeq).padStart(15, '0');
const express = require(require.resolve('express', { paths: [dist] }));
const constants = load('utils/constants');
const config = load('config').default;
const presenter = load('expressPresenter').default({
  llClientInfoEndpoint: config.llClientInfoEndpoint,
  customRoute: config.express.customRoute,
  customRouteText: config.express.customRouteText,
  morganDirectory: config.express.morganDirectory,
  bodyParserLimit: config.express.bodyParserLimit,
  service: load('serviceFactory').default(),
  tracker: load('tracker').default,
  translator: load('translatorFactory').default(),
  logger: load('logger').default,
});

const app = express();
if (opt.auth) {
  const want = 'Basic ' + Buffer.from(opt.auth).toString('base64');
  app.use('/xAPI', (req, res, next) => {
    if (req.path === '/about' || req.method === 'OPTIONS' ||
        req.get('authorization') === want) return next();
    res.set('X-Experience-API-Version', '1.0.3')
      .set('WWW-Authenticate', 'Basic realm="xAPI"')
      .status(401).json({ message: 'Unauthorized' });
  });
}
app.use(constants.aboutRoute, presenter.aboutRouter);
app.use(constants.fullActivitiesRoute, presenter.fullActivitiesRouter);
app.use(constants.statementsRoute, presenter.statementsRouter);

const server = app.listen(opt.port, '127.0.0.1', () => {
  const port = server.address().port;
  const line = JSON.stringify({ lrs: `http://127.0.0.1:${port}/xAPI/`, port, pid: process.pid });
  if (opt.readyFile) fs.writeFileSync(opt.readyFile, line + '\n');
  console.log(line);
});
server.keepAliveTimeout = 30000;
const stop = () => server.close(() => process.exit(0)) || setTimeout(() => process.exit(0), 500).unref();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
