'use strict';
// The browser suite: a scripted learner in headless Chromium against scorm-again's SCORM 1.2
// API, on the unzipped module packages. Prints TAP; exits non-zero on any failure.
//
//   node run.js --pkgs DIR [--screenshots DIR] [--only REGEX]
//
// DIR holds one unzipped package per subdirectory (run.sh makes it from the builder's zips).
// Hand-made fixture packages (tests/browser/lib/fixture.js) are added to the real ones.
const fs = require('fs');
const os = require('os');
const path = require('path');
const assert = require('assert/strict');
const { chromium } = require('playwright-core');
const server = require('./lib/server');
const fixture = require('./lib/fixture');
const {
  findPackages, relaunchCmi, interactions, Launch, assertCleanSession, assertFinalCmi, assertInteractions,
} = require('./lib/learner');
const xapiTests = require('./xapi');

const ROOT = path.resolve(__dirname, '..', '..');
const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
const pkgRoot = opt('--pkgs');
const only = opt('--only') ? new RegExp(opt('--only')) : null;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'etoolbox-browser-'));
const shotDir = opt('--screenshots') || path.join(tmp, 'screenshots');
fs.mkdirSync(shotDir, { recursive: true });

/* ------------------------------------------------------------------ the packages */

const realDirs = pkgRoot ? fs.readdirSync(pkgRoot).map((n) => path.join(pkgRoot, n))
  .filter((d) => fs.existsSync(path.join(d, 'imsmanifest.xml'))).sort() : [];
const fixDir = path.join(tmp, 'fixtures');
const runtimeDir = path.join(ROOT, 'src', 'runtime');
const fixtureDirs = fixture.writePackages(fixDir, fixture.sampleCourse(), runtimeDir)
  .concat(fixture.writePackages(fixDir, fixture.hugeCourse(400), runtimeDir));
const real = findPackages(realDirs);
const [sample, huge] = findPackages(fixtureDirs);
const modules = real.length ? real : [sample];

/* ------------------------------------------------------------------ a tiny TAP harness */

const tests = [];
// opts.unrouted: the test's pages live in a second browser context without the request guard
// below. Playwright's request interception drops keepalive requests sent while a page
// unloads (the xAPI emitter's pagehide flush); there, requests to another origin are
// observed and fail the test instead of being blocked.
const test = (name, fn, opts = {}) => { if (!only || only.test(name)) tests.push({ name, fn, unrouted: !!opts.unrouted }); };
// the test running now; its 'allowed' origins (an LRS) may be reached from the packages
let current = null;
const isAllowed = (u) => { try { return !!current && current.allowed.has(new URL(u).origin); } catch (e) { return false; } };

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

async function main() {
  const pkgMap = {}; // read at each request: the xAPI tests add their packages to it
  for (const d of realDirs.concat(fixtureDirs)) pkgMap[path.basename(d)] = d;
  const srv = await server.start({
    pkgs: pkgMap,
    hostDir: path.join(__dirname, 'host'),
    files: { '/host/scorm12.js': path.join(__dirname, 'node_modules', 'scorm-again', 'dist', 'scorm12.js') },
  });
  // one browser for the whole suite, with a fresh user-data-dir; tests open their own pages
  const launchBrowser = () => chromium.launchPersistentContext(fs.mkdtempSync(path.join(tmp, 'profile-')), {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS,
    viewport: { width: 1100, height: 800 },
  });
  const ctx = await launchBrowser();
  let unroutedCtx = null; // started for the first test that wants it
  const origin = srv.origin;
  await guard(ctx, origin);
  const started = Date.now();
  for (const x of xapi) await x.setup({ pkgMap, origin });
  console.log('TAP version 13');
  console.log(`# ${real.length} module package(s) from the builder${real.length ? ': ' + real.map((p) => p.label).join(', ') : ' (none: using the hand-made fixture)'}`);
  let n = 0; let failed = 0;
  for (const { name, fn, unrouted } of tests) {
    n++;
    if (unrouted && !unroutedCtx) unroutedCtx = await launchBrowser();
    const t = current = {
      origin, axeRuns: 0, scoFrames: new Set(), pages: [], problems: [], allowed: new Set(),
      allow(o) { t.allowed.add(new URL(o).origin); },
      async newPage(viewport) {
        const page = await (unrouted ? unroutedCtx : ctx).newPage();
        if (viewport) await page.setViewportSize(viewport);
        t.watch(page);
        return page;
      },
      watch(page) {
        t.pages.push(page);
        page.on('pageerror', (e) => t.problems.push(`uncaught error in ${page.url()}: ${e.message}`));
        page.on('console', (m) => {
          if (m.type() !== 'error' || /favicon|status of 404/.test(m.text())) return;
          // a failed request to an allowed LRS (down, or answering 503) is what the test wants
          if (isAllowed(m.location().url) || [...t.allowed].some((o) => m.text().includes(o))) return;
          t.problems.push(`console error: ${m.text()}`);
        });
        page.on('request', (req) => {
          const u = new URL(req.url());
          if (!/^https?:$/.test(u.protocol) || isAllowed(req.url())) return;
          if (unrouted && u.origin !== origin) t.problems.push(`request to another origin: ${u.href}`);
          // everything a package page loads stays inside its own package directory
          const ref = req.headers()['referer'] || '';
          const m = ref.match(/^https?:\/\/[^/]+(\/pkg\/[^/]+\/)/);
          if (m && !u.pathname.startsWith(m[1]) && u.pathname !== '/favicon.ico') t.problems.push(`request outside the package: ${u.pathname} from ${ref}`);
        });
        page.on('response', (res) => {
          const u = new URL(res.url());
          if (isAllowed(res.url())) return;
          if (res.status() >= 400 && u.pathname !== '/favicon.ico') t.problems.push(`HTTP ${res.status()} for ${u.pathname}`);
        });
      },
    };
    const t0 = Date.now();
    try {
      await fn(t);
      assert.deepEqual(t.problems, [], 'no page error, no failed or out-of-package request');
      const foreign = blocked.splice(0);
      assert.deepEqual(foreign, [], 'no request leaves the package origin');
      console.log(`ok ${n} - ${name}`);
      console.log(`#   ${((Date.now() - t0) / 1000).toFixed(1)} s` + (t.axeRuns ? `, ${t.axeRuns} axe-core runs` : ''));
    } catch (e) {
      failed++;
      blocked.splice(0);
      console.log(`not ok ${n} - ${name}`);
      for (const line of String(e && e.stack || e).split('\n').slice(0, 14)) console.log('#   ' + line);
      if (e && e.actual !== undefined && typeof e.actual === 'object') console.log('#   actual: ' + JSON.stringify(e.actual).slice(0, 1500));
      if (t.problems.length) console.log('#   problems: ' + JSON.stringify(t.problems).slice(0, 1500));
    }
    for (const p of t.pages) await p.close().catch(() => {});
    current = null;
  }
  console.log(`1..${n}`);
  console.log(`# pass ${n - failed}`);
  console.log(`# fail ${failed}`);
  console.log(`# duration ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shotDir}`);
  await ctx.close();
  if (unroutedCtx) await unroutedCtx.close();
  for (const x of xapi) await x.teardown();
  await srv.close();
  fs.rmSync(tmp, { recursive: true, force: true, maxRetries: 3 });
  process.exitCode = failed || !n ? 1 : 0;
}

// every request to another origin is blocked and fails the test it belongs to
const blocked = [];
async function guard(ctx, origin) {
  await ctx.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin !== origin && !isAllowed(u.href)) { blocked.push(u.href); return route.abort(); }
    return route.continue();
  });
}

/* ------------------------------------------------------------------ scenarios */

function failingCount(n, mastery) {
  // the largest number of right answers that still fails
  for (let k = n; k >= 0; k--) if (Math.round((100 * k) / n) < mastery) return k;
  return -1;
}

async function visitAll(L, { axe }) {
  const pages = L.data.pages;
  assert.equal(await L.shownPage(), pages[0].id, 'a first launch opens the first page');
  assert.equal(await L.progressText(), `1 of ${pages.length} pages visited`);
  if (axe) await L.axe(`page ${pages[0].id}`);
  for (let i = 1; i < pages.length; i++) {
    assert.equal(await L.next(), pages[i].id);
    assert.equal(await L.progressText(), `${i + 1} of ${pages.length} pages visited`);
    const cur = await L.ev(() => document.querySelector('.et-toc-list a[aria-current="page"]').getAttribute('href'));
    assert.equal(cur, '#' + pages[i].id, 'the table of contents marks the current page');
    if (axe && pages[i].kind !== 'quiz') await L.axe(`page ${pages[i].id}`);
  }
  assert.equal(await L.ev(() => document.querySelector('.et-next').disabled), true, 'no next page after the last');
}

async function scenarioPass(t, pkg) {
  const L = await new Launch(t, pkg).start();
  const qs = L.data.questions;
  if (pkg.mastery !== null) assert.equal(pkg.mastery, L.data.module.mastery_score, 'adlcp:masteryscore = mastery_score');
  assert.match(await L.statusText(), /progress is saved/i);
  await visitAll(L, { axe: true });
  await L.openFromToc('page-quiz');
  await L.axe('quiz, unanswered');
  for (const [i, q] of qs.entries()) {
    await L.answer(q, Launch.response(q, true));
    const fb = await L.check(q);
    assert.match(fb, /Correct\./, `feedback for ${q.id}`);
    if (q.feedback && q.feedback.correct) assert.ok(fb.includes(q.feedback.correct), 'the question\'s own feedback is shown');
    if (i === 0) await L.axe('quiz, feedback shown');
  }
  const res = await L.submit();
  assert.match(res, /100%/);
  await L.axe('quiz, result (passed)');
  const mid = await L.cmi();
  assert.equal(mid.core.lesson_status, 'passed');
  assert.equal(mid.core.score.raw, '100');
  await L.exit();
  await L.axe('after exit');
  await L.leave(); // the window closes after the exit button: still one LMSFinish
  const calls = await L.calls();
  assertCleanSession(calls);
  const cmi = await L.cmi();
  assertFinalCmi(cmi, { status: 'passed', score: '100', exit: '', location: 'page-quiz' });
  assertInteractions(interactions(cmi), qs.map((q) => ({ q, resp: Launch.response(q, true), right: true })));
  // the score is written once, when the whole check is submitted
  const scoreSets = calls.filter((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.core.score.raw');
  assert.equal(scoreSets.length, 1, 'score.raw written only on submission');
  const firstStatus = calls.find((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.core.lesson_status');
  assert.equal(firstStatus.args[1], 'incomplete', 'incomplete on first launch');
}

async function scenarioRetry(t, pkg) {
  const L = await new Launch(t, pkg).start();
  const qs = L.data.questions;
  const mastery = L.data.module.mastery_score;
  await L.openFromToc('page-quiz');
  // nothing answered: the check and the submission refuse, and record nothing
  await L.frame.click(`#et-q-${qs[0].id} .et-check`);
  assert.match(await L.ev((id) => document.querySelector(`#et-q-${id} .et-qmsg`).textContent, qs[0].id), /first/);
  await L.frame.click('.et-submit');
  assert.match(await L.ev(() => document.querySelector('.et-submit-msg').textContent), new RegExp(`${qs.length} not answered`));
  assert.equal(await L.frame.$('.et-result'), null);
  const k = failingCount(qs.length, mastery);
  assert.ok(k >= 0, 'the module can be failed (mastery_score > 0)');
  const first = qs.map((q, i) => ({ q, right: i < k, resp: Launch.response(q, i < k) }));
  for (const [i, a] of first.entries()) {
    await L.answer(a.q, a.resp);
    const fb = await L.check(a.q);
    assert.match(fb, a.right ? /Correct\./ : /Incorrect\./);
    if (!a.right && a.q.feedback && a.q.feedback.incorrect) assert.ok(fb.includes(a.q.feedback.incorrect));
    if (i === first.findIndex((x) => !x.right)) await L.axe('quiz, wrong answer feedback');
  }
  const score = Math.round((100 * k) / qs.length);
  const res = await L.submit();
  assert.match(res, new RegExp(`${score}%`));
  await L.axe('quiz, result (failed)');
  let cmi = await L.cmi();
  assert.equal(cmi.core.lesson_status, 'failed');
  assert.equal(cmi.core.score.raw, String(score));
  await L.retry();
  const reset = await L.ev(() => Array.from(document.querySelectorAll('.et-q input, .et-q select'))
    .every((x) => !x.disabled && (x.tagName === 'SELECT' ? x.value === '' : !x.checked)));
  assert.ok(reset, 'a retry starts from empty, enabled questions');
  assert.match(await L.ev(() => document.querySelector('.et-attempt').textContent), /Attempt 2/);
  cmi = await L.cmi();
  assert.equal(cmi.core.lesson_status, 'failed', 'status unchanged until the retry is submitted');
  assert.equal(cmi.core.score.raw, String(score), 'score unchanged until the retry is submitted');
  for (const q of qs) await L.answer(q, Launch.response(q, true));
  assert.match(await L.submit(), /100%/); // submit checks the questions not checked yet
  assert.equal(await L.frame.$('.et-retry'), null, 'no retry after a pass');
  await L.exit();
  assertCleanSession(await L.calls());
  cmi = await L.cmi();
  assertFinalCmi(cmi, { status: 'passed', score: '100', exit: '', location: 'page-quiz' });
  assertInteractions(interactions(cmi), first.concat(qs.map((q) => ({ q, right: true, resp: Launch.response(q, true) }))));
}

async function scenarioResume(t, pkg) {
  const L1 = await new Launch(t, pkg).start();
  const { pages, questions: qs } = L1.data;
  const topics = pages.filter((p) => p.kind === 'topic');
  await L1.next();
  await L1.next();
  await L1.openFromToc('page-quiz');
  const half = Math.ceil(qs.length / 2);
  const done = qs.slice(0, half).map((q, i) => ({ q, right: i % 2 === 0, resp: Launch.response(q, i % 2 === 0) }));
  for (const a of done) { await L1.answer(a.q, a.resp); await L1.check(a.q); }
  const pending = qs[half];
  if (pending) await L1.answer(pending, Launch.response(pending, true));
  const stay = topics[topics.length - 1];
  await L1.openFromToc(stay.id);
  const progress = await L1.progressText();
  const marks = await L1.ev(() => Array.from(document.querySelectorAll('.et-toc-list li')).map((li) => li.classList.contains('et-visited')));
  await L1.leave();
  assertCleanSession(await L1.calls());
  const cmi1 = await L1.cmi();
  assertFinalCmi(cmi1, { status: 'incomplete', score: '', exit: 'suspend', location: stay.id });
  assertInteractions(interactions(cmi1), done);

  const L2 = await new Launch(t, pkg).start({ cmi: relaunchCmi(pkg, cmi1) });
  assert.equal(await L2.shownPage(), stay.id, 'the same topic');
  assert.equal(await L2.progressText(), progress, 'the same progress');
  assert.deepEqual(await L2.ev(() => Array.from(document.querySelectorAll('.et-toc-list li')).map((li) => li.classList.contains('et-visited'))), marks);
  assert.match(await L2.statusText(), /Welcome back/);
  await L2.openFromToc('page-quiz');
  const state = await L2.ev(() => Array.from(document.querySelectorAll('.et-q')).map((fs) => ({
    id: fs.id.replace(/^et-q-/, ''),
    locked: Array.from(fs.querySelectorAll('input, select')).every((x) => x.disabled),
    feedback: !fs.querySelector('.et-feedback').hidden,
    resp: fs.querySelector('select') ? Array.from(fs.querySelectorAll('select')).map((s) => s.value)
      : Array.from(fs.querySelectorAll('input')).filter((x) => x.checked).map((x) => x.value),
  })));
  qs.forEach((q, i) => {
    const s = state[i];
    assert.equal(s.id, q.id);
    if (i < half) {
      assert.ok(s.locked && s.feedback, `${q.id}: checked answer restored with its feedback`);
      assert.deepEqual(s.resp.slice().sort(), done[i].resp.slice().sort(), `${q.id}: same answer`);
    } else if (q === pending) {
      assert.ok(!s.locked && !s.feedback, `${q.id}: unchecked answer still open`);
      assert.deepEqual(s.resp.slice().sort(), Launch.response(q, true).slice().sort(), `${q.id}: same unchecked answer`);
    } else {
      assert.equal(s.resp.join(''), '', `${q.id}: still unanswered`);
    }
  });
  await L2.axe('quiz, restored state');
  const rest = qs.slice(half).map((q) => ({ q, right: true, resp: Launch.response(q, true) }));
  for (const a of rest) { await L2.answer(a.q, a.resp); await L2.check(a.q); }
  const right = done.filter((a) => a.right).length + rest.length;
  const score = Math.round((100 * right) / qs.length);
  assert.match(await L2.submit(), new RegExp(`${score}%`));
  const passed = score >= L2.data.module.mastery_score;
  if (!passed) {
    await L2.retry();
    for (const q of qs) await L2.answer(q, Launch.response(q, true));
    await L2.submit();
  }
  await L2.exit();
  assertCleanSession(await L2.calls());
  const cmi2 = await L2.cmi();
  assertFinalCmi(cmi2, { status: 'passed', score: passed ? String(score) : '100', exit: '', location: 'page-quiz' });
  const expected = done.concat(rest).concat(passed ? [] : qs.map((q) => ({ q, right: true, resp: Launch.response(q, true) })));
  assertInteractions(interactions(cmi2), expected);
}

// every answer given at its largest, several failed attempts, every page visited
async function scenarioLargest(t, pkg, attempts) {
  const L = await new Launch(t, pkg).start();
  const { pages, questions: qs } = L.data;
  for (const p of pages) await L.openFromToc(p.id);
  await L.openFromToc('page-quiz');
  const bound = await L.ev(() => window.etoolbox.suspendBound());
  for (let a = 0; a < attempts; a++) {
    for (const q of qs) { await L.answer(q, Launch.maxResponse(q, false)); await L.check(q); }
    await L.submit();
    await L.retry();
  }
  for (const q of qs) await L.answer(q, Launch.maxResponse(q, true));
  await L.submit();
  await L.exit();
  const calls = await L.calls();
  assertCleanSession(calls);
  const sizes = calls.filter((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.suspend_data').map((c) => c.args[1].length);
  const max = Math.max(...sizes);
  assert.ok(max <= bound && bound <= 4096, `suspend_data max ${max} <= bound ${bound} <= 4096`);
  const cmi = await L.cmi();
  assert.equal(cmi.core.lesson_status, 'passed');
  assert.equal(interactions(cmi).length, qs.length * (attempts + 1));
  return { max, bound };
}

/* ------------------------------------------------------------------ the tests */

if (real.length) {
  test('every package ships the current runtime (assets/etoolbox.js, .css and xapi.js = src/runtime/) and its launch page follows the page contract', async () => {
    for (const pkg of real) {
      for (const f of ['etoolbox.js', 'etoolbox.css', 'xapi.js']) {
        assert.ok(fs.readFileSync(path.join(pkg.dir, 'assets', f)).equals(fs.readFileSync(path.join(runtimeDir, f))), `${pkg.name}: assets/${f}`);
      }
      const html = fs.readFileSync(path.join(pkg.dir, pkg.href), 'utf8');
      assert.ok(pkg.data && pkg.data.format === 1, `${pkg.name}: #et-data format 1`);
      assert.match(html, /<body class="et-nojs">/);
      assert.match(html, /<script src="\.\.\/assets\/xapi\.js"><\/script>\n<script src="\.\.\/assets\/etoolbox\.js"><\/script>/);
      assert.ok(!fs.existsSync(path.join(pkg.dir, 'assets', 'lrs.json')) && !('lrs_config' in pkg.data), `${pkg.name}: built without LRS settings`);
      for (const p of pkg.data.pages) assert.ok(html.includes(`<section class="et-page" id="${p.id}"`), `${pkg.name}: section ${p.id}`);
      assert.ok(html.includes('<div id="et-quiz"></div>'), `${pkg.name}: #et-quiz`);
      const urls = [...html.matchAll(/\bsrc="([^"]*)"/g), ...html.matchAll(/<link\b[^>]*\bhref="([^"]*)"/g)].map((m) => m[1]);
      for (const u of urls) assert.doesNotMatch(u, /^(\/|[a-z][a-z0-9+.-]*:)/i, `${pkg.name}: ${u} is a relative URL`);
    }
  });
}

test('the harness itself: a request to another origin is blocked and fails the test', async (t) => {
  const page = await t.newPage();
  await page.goto(t.origin + '/host/index.html');
  await page.evaluate(() => fetch('http://foreign.invalid/x.js').catch(() => {}));
  assert.deepEqual(blocked.splice(0), ['http://foreign.invalid/x.js']);
  t.problems.length = 0; // the console reports the blocked load
});

for (const pkg of modules) {
  test(`${pkg.label}: visit all topics, pass the knowledge check, exit (axe on every page and quiz state)`, (t) => scenarioPass(t, pkg));
  test(`${pkg.label}: fail the knowledge check, retry and pass`, (t) => scenarioRetry(t, pkg));
  test(`${pkg.label}: leave half-way (pagehide), relaunch with the stored cmi, same topic, answers and progress, finish`, (t) => scenarioResume(t, pkg));
}
if (real.length) {
  test('hand-made fixture (every question type, image, web links): pass, retry, resume', async (t) => {
    await scenarioPass(t, sample);
    await scenarioRetry(t, sample);
    await scenarioResume(t, sample);
  });
}

test('largest module: every question answered at its largest, 3 retries, all topics: suspend_data <= 4096', async (t) => {
  const weight = (p) => p.data.pages.length + p.data.questions.reduce((s, q) => s + (q.choices ? q.choices.length : q.pairs ? q.pairs.length * 6 : 1), 0);
  const pkg = modules.slice().sort((a, b) => weight(b) - weight(a))[0];
  const { max, bound } = await scenarioLargest(t, pkg, 3);
  console.log(`# largest module ${pkg.label}: ${pkg.data.pages.length} pages, ${pkg.data.questions.length} questions; suspend_data at most ${max} characters (bound ${bound})`);
});

test('synthetic module of 400 questions, beyond 4096 untrimmed: suspend_data stays <= 4096 and resume still works', async (t) => {
  const L = await new Launch(t, huge).start();
  const { pages, questions: qs } = L.data;
  for (const p of pages) await L.ev((id) => document.querySelector(`.et-toc-list a[href="#${id}"]`).click(), p.id);
  const fillAll = () => L.ev(() => {
    // set every control of a question, then one change event for the question
    for (const fs of document.querySelectorAll('.et-q')) {
      const ctl = Array.from(fs.querySelectorAll('select, input'));
      for (const s of ctl) { if (s.tagName === 'SELECT') s.value = s.options[s.options.length - 1].value; else s.checked = true; }
      ctl[ctl.length - 1].dispatchEvent(new Event('change'));
    }
  });
  for (let a = 0; a < 2; a++) {
    await fillAll(); // every question answered at its largest, none checked yet
    await L.ev(() => { for (const b of Array.from(document.querySelectorAll('.et-check')).slice(0, 150)) b.click(); });
    await L.ev(() => document.querySelector('.et-submit').click());
    await L.frame.waitForSelector('.et-retry');
    await L.ev(() => document.querySelector('.et-retry').click());
  }
  await fillAll();
  await L.ev((id) => document.querySelector(`.et-toc-list a[href="#${id}"]`).click(), 'topic-t7');
  assert.equal(await L.ev(() => window.etoolbox.suspendBound()), 4096, 'this module would exceed 4096 characters untrimmed');
  await L.leave();
  const calls = await L.calls();
  assertCleanSession(calls);
  const sizes = calls.filter((c) => c.fn === 'LMSSetValue' && c.args[0] === 'cmi.suspend_data').map((c) => c.args[1].length);
  assert.ok(Math.max(...sizes) <= 4096, `max ${Math.max(...sizes)}`);
  assert.ok(Math.max(...sizes) > 2000, 'the stress case really is large');
  assert.equal(interactions(await L.cmi()).length, 2 * qs.length);
  const cmi1 = await L.cmi();
  const L2 = await new Launch(t, huge).start({ cmi: relaunchCmi(huge, cmi1) });
  assert.equal(await L2.shownPage(), 'topic-t7');
  assert.equal(await L2.progressText(), `${pages.length} of ${pages.length} pages visited`);
  assert.match(await L2.ev(() => document.querySelector('.et-attempt').textContent), /Attempt 3\. Your previous score: \d+%/);
  console.log(`# synthetic module: suspend_data at most ${Math.max(...sizes)} characters`);
});

test('no LMS: the SCO opened on its own says progress is not saved, and still works', async (t) => {
  const pkg = modules[0];
  const page = await t.newPage();
  await page.goto(t.origin + pkg.url);
  const L = new Launch(t, pkg);
  L.page = page; L.frame = page.mainFrame();
  L.data = await L.ev(() => JSON.parse(document.getElementById('et-data').textContent));
  await page.waitForFunction(() => document.querySelector('.et-status').textContent !== '');
  const st = await L.ev(() => ({ text: document.querySelector('.et-status').textContent, role: document.querySelector('.et-status').getAttribute('role'), live: document.querySelector('.et-status').getAttribute('aria-live') }));
  assert.match(st.text, /progress is not saved/);
  assert.equal(st.role, 'status');
  assert.equal(st.live, 'polite');
  await L.axe('no LMS, first page');
  await visitAll(L, { axe: false });
  await L.openFromToc('page-quiz');
  for (const q of L.data.questions) await L.answer(q, Launch.response(q, true));
  assert.match(await L.submit(), /100%/);
  await L.exit();
  assert.match(await L.ev(() => document.querySelector('.et-ended-page').textContent), /not saved/);
  assert.equal(await L.ev(() => window.etoolbox.connected()), false);
});

test('popup window: the SCO finds the API on window.opener; closing the window finishes the session', async (t) => {
  const pkg = modules[0];
  const L = await new Launch(t, pkg).start({ popup: true });
  assert.match(await L.statusText(), /progress is saved/i);
  const second = await L.next();
  await L.scoPage.close({ runBeforeUnload: true });
  await L.page.waitForFunction(() => window.lms.calls.some((c) => c.fn === 'LMSFinish'), null, { timeout: 5000 });
  assertCleanSession(await L.calls());
  const cmi = await L.cmi();
  assertFinalCmi(cmi, { status: 'incomplete', score: '', exit: 'suspend', location: second });
});

test('keyboard only: skip link, page navigation, answering every question type, submitting; focus always visible', async (t) => {
  const pkg = real.length ? sample : modules[0];
  const L = await new Launch(t, pkg).start();
  const kb = L.page.keyboard;
  const active = () => L.ev(() => {
    const a = document.activeElement;
    const cs = getComputedStyle(a);
    return { tag: a.tagName, id: a.id, cls: a.className, type: a.type || '', value: a.value, href: a.getAttribute('href'),
      outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2 };
  });
  const tabUntil = async (pred, back) => {
    for (let i = 0; i < 200; i++) {
      await kb.press(back ? 'Shift+Tab' : 'Tab');
      const a = await active();
      if (a.tag !== 'BODY' && a.tag !== 'H1' && a.tag !== 'H2' && !/et-feedback/.test(a.cls)) assert.ok(a.outline, `visible focus on ${a.tag}#${a.id}.${a.cls}`);
      if (pred(a)) return a;
    }
    throw new Error('focus never reached the control');
  };
  await L.frame.focus('body');
  await L.ev(() => document.activeElement && document.activeElement.blur());
  let a = await tabUntil((x) => /et-skip/.test(x.cls));
  await kb.press('Enter');
  assert.equal((await active()).id, L.data.pages[0].id + '-h', 'the skip link moves focus to the page heading');
  await tabUntil((x) => /et-next/.test(x.cls));
  await kb.press('Enter');
  assert.equal((await active()).id, L.data.pages[1].id + '-h');
  await tabUntil((x) => x.href === '#page-quiz', true);
  await kb.press('Enter');
  assert.equal((await active()).id, 'page-quiz-h');
  for (const q of L.data.questions) {
    const want = Launch.response(q, true);
    a = await tabUntil((x) => x.id.startsWith(`et-q-${q.id}-`));
    if (q.type === 'matching') {
      for (let i = 0; i < q.pairs.length; i++) {
        for (let j = 0; j < 12 && (await active()).value !== want[i]; j++) await kb.press('ArrowDown');
        assert.equal((await active()).value, want[i], 'a select is operable with the arrow keys');
        if (i < q.pairs.length - 1) await kb.press('Tab');
      }
    } else if (q.type === 'multiple_choice') {
      for (let i = 0; i < q.choices.length; i++) {
        if (want.includes((await active()).value)) await kb.press('Space');
        if (i < q.choices.length - 1) await kb.press('Tab');
      }
    } else {
      await kb.press('Space');
      for (let j = 0; j < 30; j++) {
        const v = await L.ev((id) => (document.querySelector(`#et-q-${id} input:checked`) || {}).value, q.id);
        if (v === want[0]) break;
        await kb.press('ArrowDown');
      }
    }
    await tabUntil((x) => /et-check/.test(x.cls));
    await kb.press('Enter');
    assert.match((await active()).cls, /et-feedback/, 'focus moves to the feedback');
    assert.match(await L.ev((id) => document.querySelector(`#et-q-${id} .et-feedback`).textContent, q.id), /Correct\./, `${q.id} answered right by keyboard`);
  }
  await tabUntil((x) => /et-submit/.test(x.cls));
  await kb.press('Enter');
  await L.frame.waitForSelector('.et-result');
  assert.equal((await active()).id, '', 'result heading focused');
  assert.match((await active()).cls, /et-result-h/);
  await tabUntil((x) => /et-exit/.test(x.cls), true);
  await kb.press('Enter');
  await L.frame.waitForSelector('.et-ended-page');
  const cmi = await L.cmi();
  assert.equal(cmi.core.lesson_status, 'passed');
  assert.equal(cmi.core.score.raw, '100');
  assertCleanSession(await L.calls());
});

test('phone width (320 px): every page of every module fits without sideways scrolling; contents behind a button', async (t) => {
  for (const pkg of modules) {
    const page = await t.newPage({ width: 320, height: 640 });
    const L = await new Launch(t, pkg).start({ page });
    assert.equal(await L.frame.isVisible('.et-toc-toggle'), true, 'the contents button shows on a phone');
    assert.equal(await L.frame.isVisible('.et-toc-list'), false, 'the contents list is folded away');
    for (const p of L.data.pages) {
      await L.openFromToc(p.id);
      if (p.kind === 'quiz') { const q = L.data.questions[0]; await L.answer(q, Launch.response(q, false)); await L.check(q); }
      const w = await L.ev(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
      assert.ok(w.sw <= w.cw + 1, `${pkg.label} ${p.id}: content ${w.sw}px wide in a ${w.cw}px window`);
    }
    await L.axe('phone width, quiz with feedback');
  }
});

test('print: every page prints, one after the other, without the navigation', async (t) => {
  const L = await new Launch(t, modules[0]).start();
  const frameShown = () => L.ev(() => ({
    pages: Array.from(document.querySelectorAll('.et-page')).map((s) => getComputedStyle(s).display !== 'none'),
    toc: getComputedStyle(document.querySelector('.et-toc')).display,
    pager: getComputedStyle(document.querySelector('.et-pager')).display,
  }));
  const screen = await frameShown();
  assert.equal(screen.pages.filter(Boolean).length, 1, 'one page at a time on screen');
  await L.page.emulateMedia({ media: 'print' });
  const print = await frameShown();
  assert.ok(print.pages.every(Boolean), 'every page in print');
  assert.equal(print.toc, 'none');
  assert.equal(print.pager, 'none');
  await L.page.emulateMedia({ media: 'screen' });
});

test('screenshots from the real packages: topic page, question with feedback, result screen, phone width', async (t) => {
  const pkg = modules.find((p) => /media\//.test(fs.readFileSync(path.join(p.dir, p.href), 'utf8'))) || modules[0];
  const L = await new Launch(t, pkg).start({ page: await t.newPage({ width: 1000, height: 700 }) });
  const topic = L.data.pages.find((p) => p.kind === 'topic');
  await L.openFromToc(topic.id);
  await L.ev(() => document.activeElement.blur());
  await L.page.screenshot({ path: path.join(shotDir, 'topic.png') });
  await L.openFromToc('page-quiz');
  const qs = L.data.questions;
  const q = qs.find((x) => x.type === 'single_choice' || x.type === 'multiple_choice') || qs[0];
  await L.answer(q, Launch.response(q, false));
  await L.check(q);
  await L.ev((id) => { document.getElementById('et-q-' + id).scrollIntoView(); document.activeElement.blur(); }, q.id);
  await L.page.screenshot({ path: path.join(shotDir, 'question-feedback.png') });
  for (const x of qs) await L.answer(x, Launch.response(x, x !== q));
  await L.submit();
  await L.ev(() => { document.querySelector('.et-result').scrollIntoView(); window.scrollBy(0, -80); document.activeElement.blur(); });
  await L.page.screenshot({ path: path.join(shotDir, 'result.png') });
  const phone = await t.newPage({ width: 375, height: 740 });
  const P = await new Launch(t, pkg).start({ page: phone });
  await P.openFromToc(topic.id);
  await P.ev(() => document.activeElement.blur());
  await phone.screenshot({ path: path.join(shotDir, 'phone.png') });
  for (const f of ['topic.png', 'question-feedback.png', 'result.png', 'phone.png']) {
    const size = fs.statSync(path.join(shotDir, f)).size;
    assert.ok(size > 5000 && size < 200 * 1024, `${f}: ${size} bytes`);
  }
});

/* ------------------------------------------------------------------ xAPI (tests/browser/xapi.js) */

// once against Learning Locker's LRS, once against etoolbox lrs
const xapi = ['ll', 'etoolbox'].map((lrs) => xapiTests.register({
  test, tmp, root: ROOT, plain: modules[0], scenarios: { scenarioPass, scenarioRetry, scenarioResume }, lrs,
}));

main().catch((e) => { console.log('Bail out! ' + (e && e.stack || e)); process.exitCode = 1; });
