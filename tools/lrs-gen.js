#!/usr/bin/env node
// lrs-gen.js -- make realistic xAPI statements as a package emits them
// (docs/xapi-statements.md), for tests/lrs/run.sh and bench/send.sh.
//
//   node tools/lrs-gen.js [--count N] [--format jsonl|array] [--no-ids]
//                         [--seed S] [--start ISO-TIME] [--kind all|one-each]
//
// Learners go through module "core" of the JMDI e-Toolbox: initialized,
// experienced for each topic, responded for each question, passed or
// failed, completed, terminated (or suspended, then resumed). The output is
// the same for the same arguments (a seeded generator, fixed start time).
// --kind one-each prints one statement of each kind (the design's
// examples). --no-ids leaves out "id" ('etoolbox send' then gives each a
// deterministic one).
'use strict';

const args = process.argv.slice(2);
const opt = { count: 100, format: 'jsonl', ids: true, seed: 1, start: '2024-05-01T08:00:00.000Z', kind: 'all' };
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--count') opt.count = Number(args[++i]);
  else if (a === '--format') opt.format = args[++i];
  else if (a === '--no-ids') opt.ids = false;
  else if (a === '--seed') opt.seed = Number(args[++i]);
  else if (a === '--start') opt.start = args[++i];
  else if (a === '--kind') opt.kind = args[++i];
  else { console.error(`lrs-gen: unknown argument '${a}'`); process.exit(2); }
}

let state = opt.seed >>> 0 || 1;
function rand() { // xorshift32, [0, 1)
  state ^= state << 13; state >>>= 0;
  state ^= state >>> 17;
  state ^= state << 5; state >>>= 0;
  return state / 4294967296;
}
function uuid4() {
  const h = [];
  for (let i = 0; i < 16; i++) h.push(Math.floor(rand() * 256));
  h[6] = (h[6] & 0x0f) | 0x40;
  h[8] = (h[8] & 0x3f) | 0x80;
  const s = h.map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
function iso(ms) { return new Date(ms).toISOString(); }
function dur(sec) { // ISO 8601 duration, 0.01 s precision at most
  const h = Math.floor(sec / 3600), m = Math.floor((sec % 3600) / 60);
  const s = Math.round((sec % 60) * 100) / 100;
  return 'PT' + (h ? h + 'H' : '') + (m ? m + 'M' : '') + s + 'S';
}

const LANG = 'en';
const BASE = 'https://w3id.org/etoolbox/jmdi-etoolbox';
const HOME = 'https://lms.example.org';
const V = 'http://adlnet.gov/expapi/verbs/';
const T = 'http://adlnet.gov/expapi/activities/';
const course = { id: BASE, title: 'My JMDI e-Toolbox on Migration and Local Development' };
const module = { id: 'core', title: 'Core Module' };
const MOD = `${BASE}/${module.id}`;
const topics = [['nexus', 'Challenges and opportunities of the migration and development nexus'],
  ['actors', 'Who does what: the actors of local development'],
  ['policy', 'From policy to practice']];
const questions = [
  { id: 'q-nexus', type: 'choice', prompt: 'Which statement describes the nexus best?',
    choices: [['a', 'Migration and development are unrelated'], ['b', 'They influence each other'], ['c', 'Only remittances matter']],
    correct: 'b' },
  { id: 'q-many', type: 'choice', prompt: 'Which actors take part in local development? (several answers)',
    choices: [['a', 'Local authorities'], ['b', 'Migrant associations'], ['c', 'Nobody']], correct: 'a[,]b' },
  { id: 'q-tf', type: 'true-false', prompt: 'Local authorities can act on migration.', correct: 'true' },
  { id: 'q-match', type: 'matching', prompt: 'Match each actor with a role.',
    source: [['1', 'Municipality'], ['2', 'Diaspora']], target: [['a', 'Plans services'], ['b', 'Invests and shares skills']],
    correct: '1[.]a[,]2[.]b' },
];

function lm(text) { return { [LANG]: text }; }
function verb(name) { return { id: V + name, display: { 'en-US': name } }; }
function ref(id, type, name) {
  const a = { objectType: 'Activity', id, definition: { type } };
  if (name) a.definition.name = lm(name);
  return a;
}
const moduleActivity = { objectType: 'Activity', id: MOD, definition: { name: lm(module.title), description: lm('The Core Module of the JMDI e-Toolbox'), type: T + 'module' } };

function questionActivity(q) {
  const name = q.prompt.length > 100 ? q.prompt.slice(0, 99) + '\u2026' : q.prompt;
  const d = { name: lm(name), description: lm(q.prompt), type: T + 'cmi.interaction', interactionType: q.type, correctResponsesPattern: [q.correct] };
  if (q.choices) d.choices = q.choices.map(([id, t]) => ({ id, description: lm(t) }));
  if (q.source) {
    d.source = q.source.map(([id, t]) => ({ id, description: lm(t) }));
    d.target = q.target.map(([id, t]) => ({ id, description: lm(t) }));
  }
  return { objectType: 'Activity', id: `${MOD}/interactions/${q.id}`, definition: d };
}

function answer(q, right) {
  if (right) return q.correct;
  if (q.type === 'true-false') return q.correct === 'true' ? 'false' : 'true';
  if (q.type === 'matching') return '1[.]b[,]2[.]a';
  return q.choices.find(([id]) => !q.correct.split('[,]').includes(id))[0];
}
function scorm12(q, resp) { // the SCORM 1.2 student_response
  if (q.type === 'true-false') return resp === 'true' ? 't' : 'f';
  return resp.split('[,]').join(',').split('[.]').join('.');
}

function session(learner, reg, t0, outcome) {
  const out = [];
  let t = t0;
  const actor = { objectType: 'Agent', account: { homePage: HOME, name: learner } };
  const attempt = ref(`${MOD}?attemptId=${reg}`, T + 'attempt');
  const base = (v, object, extra) => {
    t += 1000 + Math.floor(rand() * 60000);
    const s = {};
    if (opt.ids) s.id = uuid4();
    s.actor = actor;
    s.verb = verb(v);
    s.object = object;
    if (extra && extra.result) s.result = extra.result;
    const ca = {};
    if (extra && extra.parent) ca.parent = [ref(MOD, T + 'module', module.title)];
    ca.grouping = [ref(BASE, T + 'course', course.title), attempt];
    ca.category = [{ objectType: 'Activity', id: 'https://w3id.org/xapi/scorm', definition: { type: T + 'profile' } }];
    if (extra && extra.assessment) ca.grouping.push(ref(`${MOD}#knowledge-check`, T + 'assessment', 'Knowledge check'));
    s.context = { registration: reg, contextActivities: ca, language: LANG };
    s.timestamp = iso(t);
    out.push(s);
    return s;
  };
  base('initialized', moduleActivity);
  for (const [id, title] of topics) {
    base('experienced', { objectType: 'Activity', id: `${MOD}/${id}`, definition: { name: lm(title), type: T + 'lesson' } },
      { parent: true, result: { duration: dur(30 + Math.floor(rand() * 300)) } });
  }
  let right = 0;
  for (const q of questions) {
    const ok = outcome === 'pass' ? true : rand() < 0.4;
    const resp = answer(q, ok);
    if (ok) right++;
    base('responded', questionActivity(q), { parent: true, assessment: true, result: {
      response: resp, success: ok,
      extensions: { 'https://w3id.org/etoolbox/xapi/extensions/scorm12-response': scorm12(q, resp) } } });
  }
  const raw = Math.round((right / questions.length) * 100);
  const session = dur((t - t0) / 1000 + 5);
  const passed = raw >= 80;
  base(passed ? 'passed' : 'failed', moduleActivity, { result: { score: { scaled: raw / 100, raw, min: 0, max: 100 }, success: passed, completion: true, duration: session } });
  base('completed', moduleActivity, { result: { completion: true, duration: session } });
  base('terminated', moduleActivity, { result: { duration: session } });
  return out;
}

let all = [];
if (opt.kind === 'one-each') {
  const reg = uuid4();
  const s = session('learner-0001', reg, Date.parse(opt.start), 'pass');
  const seen = new Set();
  for (const st of s) {
    const k = st.verb.id;
    if (!seen.has(k)) { seen.add(k); all.push(st); }
  }
  // a suspended session and its resumption
  const sus = session('learner-0002', uuid4(), Date.parse(opt.start) + 3600e3, 'fail');
  const fail = sus.find((x) => x.verb.id.endsWith('failed'));
  all.push(fail);
  const susp = JSON.parse(JSON.stringify(sus[sus.length - 1]));
  susp.verb = verb('suspended');
  if (opt.ids) susp.id = uuid4();
  all.push(susp);
  const res = JSON.parse(JSON.stringify(sus[0]));
  res.verb = verb('resumed');
  res.timestamp = iso(Date.parse(susp.timestamp) + 86400e3);
  if (opt.ids) res.id = uuid4();
  all.push(res);
} else {
  let n = 0, t = Date.parse(opt.start);
  while (all.length < opt.count) {
    n++;
    const learner = 'learner-' + String(n).padStart(5, '0');
    all = all.concat(session(learner, uuid4(), t, rand() < 0.5 ? 'pass' : 'mixed'));
    t += 600e3;
  }
  all = all.slice(0, opt.count);
}
if (opt.format === 'array') process.stdout.write(JSON.stringify(all, null, 1) + '\n');
else process.stdout.write(all.map((s) => JSON.stringify(s)).join('\n') + (all.length ? '\n' : ''));
