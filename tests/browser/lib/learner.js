'use strict';
// The scripted learner and the LMS-side helpers shared by the browser tests.
const fs = require('fs');
const path = require('path');
const assert = require('assert/strict');

const AXE_SOURCE = fs.readFileSync(path.join(__dirname, '..', 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');

const TIMESPAN = /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/;
const CMITIME = /^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$/;
const FORMATS = {
  choice: /^[0-9a-z](,[0-9a-z])*$/,
  'true-false': /^[01tf]$/,
  matching: /^[0-9a-z]\.[0-9a-z](,[0-9a-z]\.[0-9a-z])*$/,
};

// The SCOs of the given package directories (those that hold an imsmanifest.xml).
function findPackages(dirs) {
  const out = [];
  for (const dir of dirs) {
    const name = path.basename(dir);
    const mf = path.join(dir, 'imsmanifest.xml');
    if (!fs.existsSync(mf)) continue;
    const xml = fs.readFileSync(mf, 'utf8');
    const mastery = (xml.match(/<adlcp:masteryscore>\s*([\d.]+)\s*</) || [])[1];
    for (const tag of xml.match(/<resource\b[^>]*>/g) || []) {
      if (!/adlcp:scormtype\s*=\s*"sco"/.test(tag)) continue;
      const href = (tag.match(/\bhref\s*=\s*"([^"]+)"/) || [])[1];
      if (!href) continue;
      const html = fs.readFileSync(path.join(dir, href), 'utf8');
      const m = html.match(/<script type="application\/json" id="et-data">([\s\S]*?)<\/script>/);
      const data = m ? JSON.parse(m[1]) : null;
      out.push({ name, dir, href, mastery: mastery === undefined ? null : Number(mastery), data,
        label: data ? data.module.id : name, url: `/pkg/${name}/${href}` });
    }
  }
  return out;
}

function firstLaunchCmi(pkg) {
  const cmi = { core: { student_id: 'learner-1', student_name: 'Learner, Test', entry: 'ab-initio',
    lesson_status: 'not attempted', credit: 'credit', lesson_mode: 'normal' } };
  if (pkg.mastery !== null) cmi.student_data = { mastery_score: String(pkg.mastery) };
  return cmi;
}

// What an LMS hands to the next session of the same attempt (Moodle's rules: entry is
// "resume" only when the last exit was "suspend"; location, suspend_data, status, score
// and the interactions journal are kept).
function relaunchCmi(pkg, prev) {
  const cmi = firstLaunchCmi(pkg);
  cmi.core.entry = prev.core.exit === 'suspend' ? 'resume' : '';
  cmi.core.lesson_status = prev.core.lesson_status;
  cmi.core.lesson_location = prev.core.lesson_location;
  if (prev.core.score.raw !== '') cmi.core.score = { raw: prev.core.score.raw };
  cmi.suspend_data = prev.suspend_data;
  const inter = {};
  for (const [k, v] of Object.entries(prev.interactions || {})) {
    if (!/^\d+$/.test(k)) continue;
    inter[k] = { id: v.id, type: v.type, student_response: v.student_response, result: v.result,
      latency: v.latency, time: v.time, weighting: v.weighting,
      correct_responses: { 0: { pattern: v.correct_responses['0'].pattern } } };
  }
  if (Object.keys(inter).length) cmi.interactions = inter;
  return cmi;
}

// Interactions as a list, from scorm-again's serialised cmi.
function interactions(cmi) {
  const list = [];
  for (const [k, v] of Object.entries(cmi.interactions || {})) if (/^\d+$/.test(k)) list[Number(k)] = v;
  return list;
}

class Launch {
  constructor(t, pkg) { this.t = t; this.pkg = pkg; }

  // Opens the test LMS page and launches the SCO in its iframe (or a popup).
  async start({ cmi, popup = false, page = null } = {}) {
    this.page = page || await this.t.newPage();
    await this.page.goto(this.t.origin + '/host/index.html');
    const opts = { url: this.pkg.url, cmi: cmi === undefined ? firstLaunchCmi(this.pkg) : cmi, popup };
    if (popup) {
      const [p] = await Promise.all([this.page.waitForEvent('popup'), this.page.evaluate((o) => window.lms.start(o), opts)]);
      this.scoPage = p;
      this.t.watch(p);
      await p.waitForFunction(() => window.etoolbox && document.querySelector('.et-status').textContent !== '');
      this.frame = p.mainFrame();
    } else {
      await this.page.evaluate((o) => window.lms.start(o), opts);
      await this.page.waitForFunction(() => {
        const f = document.getElementById('scorm_object');
        const w = f && f.contentWindow;
        return w && w.etoolbox && w.document.querySelector('.et-status').textContent !== '';
      });
      this.scoPage = this.page;
      this.frame = this.page.frames().find((f) => f.url().includes(this.pkg.url));
    }
    this.t.scoFrames.add(this.frame);
    this.data = await this.frame.evaluate(() => JSON.parse(document.getElementById('et-data').textContent));
    return this;
  }

  async calls() { return JSON.parse(await this.page.evaluate(() => JSON.stringify(window.lms.calls))); }
  cmi() { return this.page.evaluate(() => window.lms.cmi()); }
  ev(fn, arg) { return this.frame.evaluate(fn, arg); }

  async shownPage() {
    return this.ev(() => {
      const s = Array.from(document.querySelectorAll('.et-page')).filter((x) => !x.hidden);
      return s.length === 1 ? s[0].id : 'shown: ' + s.map((x) => x.id).join(',');
    });
  }
  async focused() {
    return this.ev(() => { const a = document.activeElement; return a ? (a.id || a.className || a.tagName) : null; });
  }
  async next() {
    const before = await this.shownPage();
    await this.frame.click('.et-next');
    const after = await this.shownPage();
    assert.notEqual(after, before, 'Next changes the page');
    // focus management: the new page's heading has the focus
    assert.equal(await this.focused(), after + '-h', 'focus moves to the heading of the new page');
    return after;
  }
  async openFromToc(id) {
    if (!(await this.frame.isVisible(`.et-toc-list a[href="#${id}"]`))) await this.frame.click('.et-toc-toggle');
    await this.frame.click(`.et-toc-list a[href="#${id}"]`);
    assert.equal(await this.shownPage(), id);
    assert.equal(await this.focused(), id + '-h');
  }
  progressText() { return this.ev(() => document.querySelector('.et-progress-text').textContent); }
  statusText() { return this.ev(() => document.querySelector('.et-status').textContent); }

  // Picks an answer: right, or wrong, for question q (from the data block).
  static response(q, right) {
    if (q.type === 'true_false') return [(q.answer === right) ? 't' : 'f'];
    if (q.type === 'matching') {
      const keys = q.pairs.map((p) => p.right_key);
      if (!right) [keys[0], keys[1]] = [keys[1], keys[0]];
      return keys;
    }
    const good = q.choices.filter((c) => c.correct).map((c) => c.key);
    if (right) return good;
    const bad = q.choices.filter((c) => !c.correct).map((c) => c.key);
    if (q.type === 'single_choice') return [bad[0]];
    return bad.length ? good.concat(bad[0]) : good.slice(1);
  }
  // The largest response the learner can give (every box ticked, every select set).
  static maxResponse(q, right) {
    if (q.type === 'multiple_choice' && !right) return q.choices.map((c) => c.key);
    return Launch.response(q, right);
  }

  async answer(q, resp) {
    const base = `#et-q-${q.id}`;
    if (q.type === 'matching') {
      for (let i = 0; i < q.pairs.length; i++) await this.frame.selectOption(`${base}-${q.pairs[i].key}`, resp[i]);
      return;
    }
    const keys = q.type === 'true_false' ? ['t', 'f'] : q.choices.map((c) => c.key);
    for (const k of keys) {
      const sel = `${base}-${k}`;
      const want = resp.includes(k);
      if ((await this.frame.isChecked(sel)) !== want) await this.frame.click(`label[for="et-q-${q.id}-${k}"]`);
    }
  }
  async check(q) {
    await this.frame.click(`#et-q-${q.id} .et-check`);
    const fb = await this.ev((id) => {
      const f = document.querySelector(`#et-q-${id} .et-feedback`);
      return { hidden: f.hidden, text: f.textContent, focused: document.activeElement === f };
    }, q.id);
    assert.equal(fb.hidden, false, 'feedback is shown right after checking');
    assert.ok(fb.focused, 'focus moves to the feedback');
    return fb.text;
  }
  async submit() {
    await this.frame.click('.et-submit');
    await this.frame.waitForSelector('.et-result');
    assert.equal(await this.focused(), 'et-result-h', 'focus moves to the result heading');
    return this.ev(() => document.querySelector('.et-result').textContent);
  }
  async retry() {
    await this.frame.click('.et-retry');
    await this.frame.waitForSelector('.et-q');
  }
  async exit() {
    await this.frame.click('.et-exit');
    await this.frame.waitForSelector('.et-ended-page');
  }
  async leave() {
    // the learner closes the course half-way: the SCO's document is unloaded (pagehide)
    await this.page.evaluate(() => window.lms.leave());
    await this.page.waitForFunction(() => window.lms.calls.some((c) => c.fn === 'LMSFinish'), null, { timeout: 5000 });
  }

  // axe-core in the SCO: no violation of serious or critical impact.
  async axe(state) {
    const has = await this.ev(() => typeof window.axe !== 'undefined');
    if (!has) await this.ev(AXE_SOURCE);
    const res = await this.ev(async () => {
      const r = await window.axe.run(document, { resultTypes: ['violations'] });
      return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    });
    this.t.axeRuns++;
    assert.deepEqual(res, [], `axe on ${this.pkg.label} / ${state}`);
  }
}

// Checks that hold for every session: no API error, LMSInitialize and LMSFinish once each,
// nothing after LMSFinish, LMSGetLastError after every LMSSetValue.
function assertCleanSession(calls, { finished = true } = {}) {
  const main = calls.filter((c) => c.fn !== 'LMSGetLastError' && c.fn !== 'LMSGetErrorString' && c.fn !== 'LMSGetDiagnostic');
  const errors = main.filter((c) => c.err !== '0' || c.ret === 'false' || c.ret === false);
  assert.deepEqual(errors.map((c) => `${c.fn}(${(c.args || []).join(', ')}) -> ${c.ret}, error ${c.err}`), [], 'no API call returned an error');
  assert.equal(main[0] && main[0].fn, 'LMSInitialize', 'LMSInitialize comes first');
  assert.deepEqual(main[0].args, [''], 'LMSInitialize("")');
  assert.equal(main.filter((c) => c.fn === 'LMSInitialize').length, 1, 'LMSInitialize exactly once');
  assert.equal(main.filter((c) => c.fn === 'LMSFinish').length, finished ? 1 : 0, 'LMSFinish exactly once');
  if (finished) {
    assert.equal(main[main.length - 1].fn, 'LMSFinish', 'no call after LMSFinish');
    assert.deepEqual(main[main.length - 1].args, ['']);
  }
  assert.equal(calls.filter((c) => c.afterFinish).length, 0, 'no call after LMSFinish');
  calls.forEach((c, i) => {
    if (c.fn === 'LMSSetValue') assert.equal(calls[i + 1] && calls[i + 1].fn, 'LMSGetLastError', `LMSGetLastError after LMSSetValue(${c.args[0]})`);
  });
  for (const c of main) {
    if (c.fn !== 'LMSSetValue') continue;
    const [el, v] = c.args;
    if (el === 'cmi.suspend_data') assert.ok(v.length <= 4096, `suspend_data ${v.length} <= 4096`);
    if (el === 'cmi.core.lesson_location') assert.ok(v.length <= 255, 'lesson_location <= 255');
    if (el === 'cmi.core.lesson_status') assert.ok(['passed', 'completed', 'failed', 'incomplete'].includes(v), 'SCO sets a valid status');
    if (el === 'cmi.core.score.raw') assert.ok(/^\d{1,3}$/.test(v) && Number(v) <= 100, 'score.raw 0-100');
    // the values as the SCO sent them (scorm-again normalises timespans it accepts)
    if (el === 'cmi.core.session_time' || /^cmi\.interactions\.\d+\.latency$/.test(el)) assert.match(v, TIMESPAN, `${el} = ${v} is HHHH:MM:SS.SS`);
    if (/^cmi\.interactions\.\d+\.time$/.test(el)) assert.match(v, CMITIME, `${el} = ${v} is HH:MM:SS`);
    if (el === 'cmi.core.exit') assert.ok(v === '' || v === 'suspend', 'exit is suspend or ""');
  }
  if (finished) {
    const times = main.filter((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.core.session_time');
    assert.ok(times.length >= 1, 'session_time set before LMSFinish');
  }
  assert.ok(main.some((c) => c.fn === 'LMSCommit'), 'LMSCommit at milestones');
}

// Final cmi values that hold at the end of every session.
function assertFinalCmi(cmi, { status, score, exit, location }) {
  assert.equal(cmi.core.lesson_status, status, 'lesson_status');
  assert.equal(cmi.core.score.raw, score, 'score.raw');
  assert.equal(cmi.core.exit, exit, 'exit');
  assert.match(cmi.core.session_time, TIMESPAN, 'session_time is a CMITimespan');
  assert.notEqual(cmi.core.session_time, '00:00:00', 'session_time was set');
  assert.ok(cmi.suspend_data.length > 0 && cmi.suspend_data.length <= 4096, 'suspend_data length');
  assert.ok(cmi.core.lesson_location.length > 0 && cmi.core.lesson_location.length <= 255, 'lesson_location length');
  if (location) assert.equal(cmi.core.lesson_location, location, 'lesson_location is the page shown last');
}

const TYPE = { single_choice: 'choice', multiple_choice: 'choice', true_false: 'true-false', matching: 'matching' };
function scormResponse(q, resp) {
  if (q.type === 'matching') return q.pairs.map((p, i) => `${p.key}.${resp[i]}`).join(',');
  return resp.slice().sort().join(',');
}
// One interaction per checked question, in order, with the right formats.
function assertInteractions(list, expected) {
  assert.equal(list.length, expected.length, 'one interaction per answered question');
  expected.forEach(({ q, resp, right }, i) => {
    const it = list[i];
    assert.equal(it.id, q.id, `interaction ${i} id`);
    assert.equal(it.type, TYPE[q.type], `interaction ${i} type`);
    assert.match(it.student_response, FORMATS[it.type], `interaction ${i} student_response format`);
    assert.equal(it.student_response, scormResponse(q, resp), `interaction ${i} student_response`);
    assert.equal(it.result, right ? 'correct' : 'wrong', `interaction ${i} result`);
    assert.match(it.latency, TIMESPAN, `interaction ${i} latency`);
    assert.match(it.time, CMITIME, `interaction ${i} time`);
    const pattern = it.correct_responses && it.correct_responses['0'] && it.correct_responses['0'].pattern;
    assert.equal(pattern, scormResponse(q, Launch.response(q, true)), `interaction ${i} correct_responses.0.pattern`);
    assert.match(pattern, FORMATS[it.type]);
  });
}

module.exports = { findPackages, firstLaunchCmi, relaunchCmi, interactions, Launch, assertCleanSession, assertFinalCmi,
  assertInteractions, TIMESPAN, scormResponse };
