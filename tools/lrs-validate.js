#!/usr/bin/env node
// lrs-validate.js -- check xAPI statements with Learning Locker's npm
// validators (xapi-validation 2.1.4, the one the xapi-statements LRS uses,
// and @learninglocker/xapi-validation 3.0.0), installed in
// tests/lrs/node_modules by tools/lrs-install.sh.
//
//   node tools/lrs-validate.js [--strict] FILE...   ('-' = standard input)
//
// A FILE is a JSON array, JSON Lines, one statement, or a statement result
// ({"statements":[...]}). Prints one line per invalid statement and its
// problems, then "N passed, N failed". --strict adds what our design
// requires beyond the spec: id, a UTC timestamp with milliseconds, a
// registration, contextActivities as arrays, verb.display. Exit status:
// 0 all valid, 1 some invalid, 2 unreadable input.
'use strict';
const fs = require('fs');
const path = require('path');

const modules = process.env.ETOOLBOX_LRS_NODE_MODULES ||
  path.join(__dirname, '..', 'tests', 'lrs', 'node_modules');
function load(name) {
  try {
    return require(require.resolve(name, { paths: [modules] })).default;
  } catch (e) {
    console.error(`lrs-validate: ${name} is not installed in ${modules}; run tools/lrs-install.sh`);
    process.exit(2);
  }
}
const validators = [['xapi-validation@2', load('xapi-validation')],
  ['@learninglocker/xapi-validation@3', load('@learninglocker/xapi-validation')]];

let strict = false;
const files = [];
for (const a of process.argv.slice(2)) {
  if (a === '--strict') strict = true;
  else files.push(a);
}
if (!files.length) files.push('-');

function parse(text, name) {
  const t = text.trim();
  if (!t) return [];
  try {
    const j = JSON.parse(t);
    if (Array.isArray(j)) return j;
    if (j && Array.isArray(j.statements)) return j.statements;
    return [j];
  } catch (e) {
    // JSON Lines
    return t.split('\n').filter((l) => l.trim()).map((l, i) => {
      try { return JSON.parse(l); } catch (e2) {
        console.error(`${name}:${i + 1}: not JSON: ${e2.message}`);
        process.exit(2);
      }
    });
  }
}

function describe(w) {
  const p = (w.path || []).slice(1).join('.') || '(statement)';
  return `${p}: ${w.constructor && w.constructor.name}`;
}

function wrap(s) { // the LRS wraps single contextActivities before validating
  const c = JSON.parse(JSON.stringify(s));
  const ca = c && c.context && c.context.contextActivities;
  if (ca && typeof ca === 'object') {
    for (const k of Object.keys(ca)) if (ca[k] && !Array.isArray(ca[k])) ca[k] = [ca[k]];
  }
  return c;
}

const UTC_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
function strictProblems(s) {
  const out = [];
  if (!s || typeof s !== 'object') return out;
  if (!s.id) out.push('id: missing');
  if (!UTC_MS.test(s.timestamp || '')) out.push('timestamp: not UTC with milliseconds');
  if (!(s.context && s.context.registration)) out.push('context.registration: missing');
  if (!(s.verb && s.verb.display)) out.push('verb.display: missing');
  const ca = s.context && s.context.contextActivities;
  if (ca) for (const k of Object.keys(ca)) if (!Array.isArray(ca[k])) out.push(`context.contextActivities.${k}: not an array`);
  return out;
}

let passed = 0, failed = 0;
for (const f of files) {
  const name = f === '-' ? 'stdin' : f;
  const list = parse(fs.readFileSync(f === '-' ? 0 : f, 'utf8'), name);
  const seen = new Set();
  list.forEach((s, i) => {
    const problems = [];
    for (const [lib, v] of validators) {
      for (const w of v(wrap(s))) {
        const d = `${describe(w)} [${lib}]`;
        if (!problems.includes(d)) problems.push(d);
      }
    }
    if (strict) {
      problems.push(...strictProblems(s));
      if (s && s.id && seen.has(s.id)) problems.push('id: repeated');
      if (s && s.id) seen.add(s.id);
    }
    if (problems.length) {
      failed++;
      console.log(`INVALID ${name}[${i}]: ${problems.join('; ')}`);
    } else passed++;
  });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
