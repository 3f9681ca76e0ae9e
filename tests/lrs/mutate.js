#!/usr/bin/env node
// mutate.js -- differential test of etoolbox's statement validator against
// Learning Locker's (the one the LRS uses): take valid statements, break
// each in one random place, and print them as JSON Lines.
//
//   node tests/lrs/mutate.js --count N [--seed S] < valid.jsonl > mutated.jsonl
//
// The mutations avoid the few places where the two validators disagree on
// purpose (docs/xapi-statements.md, "Validation rules"): dates without a
// time, impossible dates, negative durations, braces around UUIDs and
// mbox_sha1sum shorter than 40 digits, which etoolbox refuses and Learning
// Locker accepts.
'use strict';
const fs = require('fs');
const args = process.argv.slice(2);
let count = 200, seed = 7;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--count') count = Number(args[++i]);
  else if (args[i] === '--seed') seed = Number(args[++i]);
}
let st = seed >>> 0 || 1;
function rand() {
  st ^= st << 13; st >>>= 0; st ^= st >>> 17; st ^= st << 5; st >>>= 0;
  return st / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const valid = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));

function paths(o, p, out) {
  if (p.length && p[p.length - 1] === 'extensions') return out; // free-form
  out.push(p);
  if (o && typeof o === 'object') {
    for (const k of Object.keys(o)) paths(o[k], p.concat(Array.isArray(o) ? Number(k) : k), out);
  }
  return out;
}
const values = [null, 0, 1.5, -3, 2, '', 'x', 'not a uuid', 'foo bar', 'http://example.org/ok',
  'mailto:someone@example.org', 'someone@example.org', '2024-05-01T12:00:00Z', '2024-05-01T12:00:00',
  'PT1H', '1h', {}, [], [{}], true, false, { 'en-US': 'x' }, { 'not a tag!': 'x' },
  '6b0b2a61-8b5c-4f3e-9d3a-6a0c1f5f4b01', 'Agent', 'Group', 'Activity', 'StatementRef', 'SubStatement',
  'choice', 'true-false', 'matching', 'likert', ['a'], [{ id: 'a' }], [{ id: 'a' }, { id: 'a' }]];
const keys = ['extra', 'id', 'objectType', 'mbox', 'openid', 'account', 'member', 'name', 'definition',
  'choices', 'scale', 'source', 'target', 'steps', 'interactionType', 'correctResponsesPattern', 'revision',
  'platform', 'language', 'statement', 'score', 'scaled', 'raw', 'min', 'max', 'duration', 'homePage'];

function at(o, p) { return p.reduce((x, k) => (x == null ? x : x[k]), o); }
const out = [];
for (let i = 0; i < count; i++) {
  const s = JSON.parse(JSON.stringify(pick(valid)));
  const ps = paths(s, [], []).filter((p) => p.length);
  const p = pick(ps);
  const parent = at(s, p.slice(0, -1));
  const key = p[p.length - 1];
  const r = rand();
  if (r < 0.15 && !Array.isArray(parent)) delete parent[key];
  else if (r < 0.3 && at(s, p) && typeof at(s, p) === 'object' && !Array.isArray(at(s, p))) at(s, p)[pick(keys)] = pick(values);
  else parent[key] = JSON.parse(JSON.stringify(pick(values)));
  // a fresh id, unless the mutation was about the id, so that the input
  // never reuses an id with other content
  if (!(p.length === 1 && p[0] === 'id') && s && typeof s === 'object' && typeof s.id === 'string') {
    s.id = s.id.slice(0, 24) + (1e11 + i).toString(16).slice(-12).padStart(12, '0');
  }
  out.push(JSON.stringify(s));
}
process.stdout.write(out.join('\n') + '\n');
