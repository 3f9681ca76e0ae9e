/*! etoolbox xAPI emitter: the module's learning events as xAPI 1.0.3 statements to an LRS.
 * The statements are those of docs/xapi-statements.md, field by field. The runtime
 * (etoolbox.js, loaded after this file) reports its events through window.etoolboxXapi;
 * each call returns at once: statements go to a queue in localStorage and are sent in the
 * background, so SCORM tracking never waits on the LRS. A package built without LRS
 * settings makes no statement, no request and no entry in localStorage, and shows nothing.
 * See docs/learner-side.md, "xAPI". */
(function () {
  'use strict';

  var win = window;
  var doc = document;

  var VERBS = 'http://adlnet.gov/expapi/verbs/';
  var TYPES = 'http://adlnet.gov/expapi/activities/';
  var PROFILE = 'https://w3id.org/xapi/scorm';
  var EXT_SCORM12 = 'https://w3id.org/etoolbox/xapi/extensions/scorm12-response';
  var STORE = 'etoolbox.xapi.';      /* localStorage: STORE + <queue hash> + '.q.' / '.dead.' + <statement id> */
  var BATCH_MAX = 100;               /* statements per request (docs/xapi-statements.md §9) */
  var BATCH_BYTES = 512 * 1024;      /* body of an ordinary request */
  var KEEPALIVE_BYTES = 60000;       /* all keepalive bodies of one pagehide together (browsers allow 64 KiB) */
  var TIMEOUT_MS = 30000;            /* a request not answered by then counts as a network error */
  var BACKOFF_MS = 250, BACKOFF_MAX_MS = 30000, RETRY_AFTER_MAX_MS = 3600000;

  function note(msg) { if (win.console && console.warn) console.warn('etoolbox xAPI: ' + msg); }

  /* ------------------------------------------------------------------ values */

  function hex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }
  /* a version 4 UUID, lowercase */
  function uuid4() {
    var b = new Uint8Array(16);
    var c = win.crypto || win.msCrypto;
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = hex(b);
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  function isUuid(s) { return typeof s === 'string' && UUID.test(s.toLowerCase()); }

  /* ISO 8601 duration from centiseconds: PT[nH][nM][n.nnS], zero parts left out, PT0S for zero */
  function isoDuration(cs) {
    cs = Math.max(0, Math.round(cs));
    var h = Math.floor(cs / 360000); cs -= h * 360000;
    var m = Math.floor(cs / 6000); cs -= m * 6000;
    var s = Math.floor(cs / 100), f = cs - s * 100;
    var out = 'PT' + (h ? h + 'H' : '') + (m ? m + 'M' : '');
    if (s || f) out += s + (f ? '.' + (f < 10 ? '0' + f : String(f)).replace(/0$/, '') : '') + 'S';
    return out === 'PT' ? 'PT0S' : out;
  }
  function durationSince(ms) { return isoDuration((Date.now() - ms) / 10); }
  /* SCORM 1.2 CMITimespan HHHH:MM:SS.SS, converted part by part */
  function durationOfTimespan(ts) {
    var m = /^(\d{2,4}):(\d{2}):(\d{2})(?:\.(\d{1,2}))?$/.exec(String(ts || ''));
    if (!m) return null;
    var frac = m[4] ? Number((m[4] + '0').slice(0, 2)) : 0;
    return isoDuration(((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 100 + frac);
  }

  function hash32(str, seed) {
    var h = seed >>> 0;
    for (var i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return ('0000000' + h.toString(16)).slice(-8);
  }
  function byteLength(s) {
    if (win.TextEncoder) return new TextEncoder().encode(s).length;
    return unescape(encodeURIComponent(s)).length;
  }

  /* ------------------------------------------------------------------ the page */

  var data = null;
  try { data = JSON.parse(doc.getElementById('et-data').textContent); } catch (e) { data = null; }

  /* ------------------------------------------------------------------ configuration */

  function endpointOf(u) {
    if (typeof u !== 'string' || !/^https?:\/\/[^\/?#\s]+/i.test(u) || /[?#\s]/.test(u)) return null;
    return u.charAt(u.length - 1) === '/' ? u : u + '/';
  }
  /* xAPI launch parameters in the page URL (endpoint, auth, actor, registration) */
  function launchParameters() {
    var q;
    try { q = new URLSearchParams(win.location.search); } catch (e) { return null; }
    var ep = endpointOf(q.get('endpoint'));
    if (!ep) return null;
    return { source: 'launch parameters', endpoint: ep, auth: q.get('auth') || '', actor: q.get('actor'),
      registration: q.get('registration') };
  }
  function parseConfig(text, source) {
    var c;
    try { c = JSON.parse(text); } catch (e) { return null; }
    if (!c || typeof c !== 'object') return null;
    return { source: source, endpoint: endpointOf(c.endpoint), auth: typeof c.auth === 'string' ? c.auth : '',
      lms_home: typeof c.lms_home === 'string' ? c.lms_home : '', actor_name: c.actor_name === true };
  }
  /* a launch 'actor' is used as it is when it is a valid Agent: one identifier */
  function launchActor(text) {
    var a;
    try { a = JSON.parse(text); } catch (e) { return null; }
    if (!a || typeof a !== 'object' || Array.isArray(a) || (a.objectType !== undefined && a.objectType !== 'Agent')) return null;
    var ifis = ['mbox', 'mbox_sha1sum', 'openid', 'account'].filter(function (k) { return a[k] !== undefined; });
    if (ifis.length !== 1) return null;
    if (ifis[0] === 'account' && !(a.account && typeof a.account.homePage === 'string' && typeof a.account.name === 'string')) return null;
    if (ifis[0] !== 'account' && typeof a[ifis[0]] !== 'string') return null;
    return a;
  }

  /* ------------------------------------------------------------------ the session */

  var S = null;          /* the session, once started with an LRS in view */
  var cfg = null;        /* {endpoint, auth, actor, key}: known when statements can be queued */
  var held = [];         /* statements made before the configuration is known (no actor yet) */
  var over = false;      /* no statement after the session's last (suspended / terminated) */

  function lm(text) { var m = {}; m[S.lang] = String(text); return m; }
  function activity(id, def) { return { objectType: 'Activity', id: id, definition: def }; }

  function start(o) {
    if (S || !data || !data.course || !data.module || !data.course.xapi_base) return null;
    var launch = launchParameters();
    var fromLms = null;
    var ld = o.get ? o.get('cmi.launch_data') : '';
    if (ld) {
      fromLms = parseConfig(ld, 'cmi.launch_data');
      if (fromLms && !fromLms.endpoint && !fromLms.lms_home) fromLms = null;
    }
    var fileUrl = typeof data.lrs_config === 'string' ? data.lrs_config : null;
    /* nothing configured: no statement, no request, nothing stored */
    if (!launch && !(fromLms && fromLms.endpoint) && !fileUrl) return null;
    var studentId = o.get ? o.get('cmi.core.student_id') : '';
    var actorParam = launch && launch.actor ? launchActor(launch.actor) : null;
    if (launch && launch.actor && !actorParam) note('the launch parameter "actor" is not a valid Agent: not used');
    if (!studentId && !actorParam) return null;

    var kept = isUuid(o.registration) ? o.registration.toLowerCase() : null;
    var given = launch && isUuid(launch.registration) ? launch.registration.toLowerCase() : null;
    var reg = given || kept || uuid4();
    var base = data.course.xapi_base;
    var mod = base + '/' + data.module.id;
    var quiz = (data.pages || []).filter(function (p) { return p.kind === 'quiz'; })[0];
    S = {
      lang: data.lang || 'en', reg: reg, started: Date.now(), page: null, topic: null, completed: false,
      studentId: studentId, studentName: o.get ? o.get('cmi.core.student_name') : '', actorParam: actorParam,
      moduleId: mod
    };
    var md = { name: lm(data.module.title) };
    if (data.module.description) md.description = lm(data.module.description);
    md.type = TYPES + 'module';
    S.module = activity(mod, md);
    S.moduleRef = activity(mod, { type: TYPES + 'module', name: lm(data.module.title) });
    S.courseRef = activity(base, { type: TYPES + 'course', name: lm(data.course.title) });
    S.attemptRef = activity(mod + '?attemptId=' + reg, { type: TYPES + 'attempt' });
    S.quizRef = activity(mod + '#knowledge-check', { type: TYPES + 'assessment', name: lm(quiz ? quiz.title : 'Knowledge check') });
    S.profileRef = activity(PROFILE, { type: TYPES + 'profile' });

    make(given || kept ? 'resumed' : 'initialized', S.module, null, 'module');
    configure([launch, fromLms], fileUrl);
    return reg;
  }

  /* the first source with an endpoint gives endpoint and auth; lms_home and actor_name come
     from the first source that has them (launch parameters never do) */
  function configure(sources, fileUrl) {
    var chosen = null, home = null;
    sources.forEach(function (c) {
      if (!c) return;
      if (!chosen && c.endpoint) chosen = c;
      if (!home && c.lms_home) home = c;
    });
    var needFile = fileUrl && (!chosen || (!S.actorParam && !home));
    if (!needFile) return settle(chosen, home);
    fetch(fileUrl, { credentials: 'same-origin', cache: 'no-cache' }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.text();
    }).then(function (text) {
      var f = parseConfig(text, fileUrl);
      if (!f) throw new Error('not JSON');
      settle(chosen || (f.endpoint ? f : null), home || (f.lms_home ? f : null));
    }).catch(function (e) {
      note('cannot read ' + fileUrl + ' (' + (e && e.message) + ')');
      settle(chosen, home);
    });
  }

  function settle(chosen, home) {
    var actor = S.actorParam;
    if (!actor && home && S.studentId && /^https?:\/\/\S+$/i.test(home.lms_home)) {
      actor = { objectType: 'Agent' };
      if (home.actor_name && S.studentName) actor.name = S.studentName;
      actor.account = { homePage: home.lms_home, name: S.studentId };
    }
    if (!chosen || !actor) {
      if (chosen) note('no LMS home page (lms_home) in the settings: no statement is sent');
      held = [];
      S.off = true;
      return;
    }
    var who = actor.account ? 'account|' + actor.account.homePage + '|' + actor.account.name : JSON.stringify(actor);
    var k = chosen.endpoint + '\n' + who;
    cfg = { endpoint: chosen.endpoint, auth: chosen.auth, actor: actor, source: chosen.source,
      key: STORE + hash32(k, 0x811c9dc5) + hash32(k, 0x01000193) + '.' };
    var h = held; held = [];
    h.forEach(queue);
    listen();
    schedule(0);
  }

  /* ------------------------------------------------------------------ statements (§4, §5) */

  function make(verb, object, result, kind) {
    if (!S || S.off || over) return;
    var ca = {};
    if (kind !== 'module') ca.parent = [S.moduleRef];
    ca.grouping = [S.courseRef, S.attemptRef];
    if (kind === 'question') ca.grouping.push(S.quizRef);
    ca.category = [S.profileRef];
    var st = { id: uuid4(), actor: null, verb: { id: VERBS + verb, display: { 'en-US': verb } }, object: object };
    if (result) st.result = result;
    st.context = { registration: S.reg, contextActivities: ca, language: S.lang };
    st.timestamp = new Date().toISOString();
    if (cfg) queue(st); else held.push(st);
  }

  function topicLeft() {
    var t = S.topic;
    if (!t) return;
    S.topic = null;
    make('experienced', activity(S.moduleId + '/' + t.page.topic, { name: lm(t.page.title), type: TYPES + 'lesson' }),
      { duration: durationSince(t.since) }, 'child');
  }

  function questionActivity(q) {
    var prompt = String(q.prompt || q.id);
    var cps = Array.from ? Array.from(prompt) : prompt.split('');
    var d = { name: lm(cps.length > 100 ? cps.slice(0, 99).join('') + '\u2026' : prompt), description: lm(prompt),
      type: TYPES + 'cmi.interaction' };
    if (q.type === 'true_false') {
      d.interactionType = 'true-false';
      d.correctResponsesPattern = [q.answer ? 'true' : 'false'];
    } else if (q.type === 'matching') {
      d.interactionType = 'matching';
      d.correctResponsesPattern = [q.pairs.map(function (p) { return p.key + '[.]' + p.right_key; }).join('[,]')];
      d.source = q.pairs.map(function (p) { return { id: p.key, description: lm(p.left) }; });
      d.target = q.pairs.map(function (p) { return { id: p.right_key, description: lm(p.right) }; });
    } else {
      d.interactionType = 'choice';
      d.correctResponsesPattern = [q.choices.filter(function (c) { return c.correct; }).map(function (c) { return c.key; }).join('[,]')];
      d.choices = q.choices.map(function (c) { return { id: c.key, description: lm(c.text) }; });
    }
    return activity(S.moduleId + '/interactions/' + q.id, d);
  }
  /* SCORM 1.2 student_response (a,c / t / 1.a,2.c) to the xAPI format (a[,]c / true / 1[.]a[,]2[.]c) */
  function xapiResponse(q, r) {
    if (q.type === 'true_false') return r === 't' ? 'true' : 'false';
    return r.split(',').join('[,]').split('.').join('[.]');
  }

  /* ------------------------------------------------------------------ the queue (localStorage) */

  var mem = {};          /* statements that could not be stored (no localStorage, or full) */
  var seq = 0;
  function storage() { try { return win.localStorage || null; } catch (e) { return null; } }

  function queue(st) {
    st.actor = cfg.actor;
    var entry = { o: Date.now() * 1000 + (seq++ % 1000), s: st };
    var ls = storage();
    try {
      if (!ls) throw new Error('no localStorage');
      ls.setItem(cfg.key + 'q.' + st.id, JSON.stringify(entry));
    } catch (e) {
      if (!mem.warned) { note('statements are kept in memory only (' + (e && e.message) + ')'); mem.warned = true; }
      mem[st.id] = entry;
    }
    schedule(50);
  }
  /* every queued statement of this LRS and learner, oldest first (other windows may add and send too) */
  function pending() {
    var out = [], ls = storage(), pre = cfg.key + 'q.';
    if (ls) {
      var keys = [];
      try { for (var i = 0; i < ls.length; i++) { var k = ls.key(i); if (k && k.indexOf(pre) === 0) keys.push(k); } } catch (e) { keys = []; }
      keys.forEach(function (k) {
        var v = null;
        try { v = JSON.parse(ls.getItem(k)); } catch (e) { v = null; }
        if (v && v.s && v.s.id) out.push(v); else if (v === null) { try { ls.removeItem(k); } catch (e) { /* gone */ } }
      });
    }
    for (var id in mem) if (id !== 'warned' && mem.hasOwnProperty(id)) out.push(mem[id]);
    out.sort(function (a, b) { return a.o - b.o || (a.s.id < b.s.id ? -1 : 1); });
    return out;
  }
  function resolved(list) {
    var ls = storage();
    list.forEach(function (e) {
      delete mem[e.s.id];
      try { if (ls) ls.removeItem(cfg.key + 'q.' + e.s.id); } catch (x) { /* nothing to remove */ }
    });
  }
  function deadLetter(e, status, message) {
    var ls = storage();
    var rec = { status: status, error: String(message || '').slice(0, 2000), time: new Date().toISOString(), statement: e.s };
    note('statement ' + e.s.id + ' was rejected by the LRS (' + status + '): set aside. ' + rec.error);
    try { if (ls) ls.setItem(cfg.key + 'dead.' + e.s.id, JSON.stringify(rec)); } catch (x) { /* kept nowhere */ }
    resolved([e]);
  }

  /* ------------------------------------------------------------------ sending (§9) */

  var busy = false, timer = null, wakeAt = 0, failures = 0, work = [], stopped = false, hidden = false;
  var notBefore = 0;     /* after a transient failure: no request before this time */

  function schedule(ms) {
    if (!cfg || stopped || hidden) return;
    var at = Math.max(Date.now() + ms, notBefore);
    ms = at - Date.now();
    if (timer && wakeAt <= at) return;
    if (timer) clearTimeout(timer);
    wakeAt = at;
    timer = setTimeout(function () { timer = null; pump(); }, ms);
  }
  function backoff() {
    var d = Math.min(BACKOFF_MAX_MS, BACKOFF_MS * Math.pow(2, Math.min(failures - 1, 20)));
    return d / 2 + Math.random() * d / 2;
  }
  function retryAfter(r) {
    var v = r && r.headers && r.headers.get('Retry-After');
    if (!v) return null;
    var ms = /^\s*\d+\s*$/.test(v) ? Number(v) * 1000 : Date.parse(v) - Date.now();
    return isNaN(ms) ? null : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
  }
  function nextBatch() {
    if (work.length) return work.shift();
    var batch = [], bytes = 2;
    var all = pending();
    for (var i = 0; i < all.length && batch.length < BATCH_MAX; i++) {
      var n = byteLength(JSON.stringify(all[i].s)) + 1;
      if (batch.length && bytes + n > BATCH_BYTES) break;
      batch.push(all[i]);
      bytes += n;
    }
    return batch;
  }
  function body(batch) { return '[' + batch.map(function (e) { return JSON.stringify(e.s); }).join(',') + ']'; }
  function post(text, keepalive) {
    var headers = { 'Content-Type': 'application/json', 'X-Experience-API-Version': '1.0.3' };
    if (cfg.auth) headers.Authorization = cfg.auth;
    var init = { method: 'POST', headers: headers, body: text, credentials: 'omit', cache: 'no-store', keepalive: !!keepalive };
    var ctl = !keepalive && win.AbortController ? new AbortController() : null;
    var t = null;
    if (ctl) { init.signal = ctl.signal; t = setTimeout(function () { ctl.abort(); }, TIMEOUT_MS); }
    return fetch(cfg.endpoint + 'statements', init).then(function (r) {
      return r.text().then(function (txt) { if (t) clearTimeout(t); return { status: r.status, res: r, text: txt }; });
    }, function (e) {
      if (t) clearTimeout(t);
      return { status: 0, error: e };
    });
  }

  function pump() {
    if (busy || !cfg || stopped || hidden) return;
    var batch = nextBatch();
    if (!batch.length) return;
    busy = true;
    post(body(batch), false).then(function (a) {
      busy = false;
      handle(batch, a);
    });
  }

  function handle(batch, a) {
    var st = a.status;
    notBefore = 0;
    if (st >= 200 && st < 300) {
      failures = 0;
      resolved(batch);
      return schedule(0);
    }
    if (st === 400 || st === 409 || st === 413) {
      /* the batch is all-or-nothing: halve it until each refused statement is alone */
      failures = 0;
      if (batch.length > 1) {
        var h = Math.ceil(batch.length / 2);
        work.unshift(batch.slice(0, h), batch.slice(h));
      } else if (st === 409) {
        note('statement ' + batch[0].s.id + ' is already stored with other content (409): dropped');
        resolved(batch);
      } else {
        deadLetter(batch[0], st, a.text);
      }
      return schedule(0);
    }
    if (st === 401 || st === 403) {
      stopped = true;
      note('the LRS refused the credentials (' + st + '): nothing more is sent in this session; ' +
        'the statements stay queued for the next one');
      return;
    }
    /* network error, timeout, 408, 429, 5xx (and anything unexpected): the same batch again, later */
    failures++;
    work.unshift(batch);
    var wait = retryAfter(a.res);
    notBefore = Date.now() + (wait === null ? backoff() : wait);
    schedule(0);
  }

  /* pagehide: what is queued goes out with keepalive requests, which outlive the page.
     Their answers are never read, so the statements stay queued: the next session sends
     them again and the LRS stores each id once. */
  function flush() {
    if (!cfg || stopped) return;
    hidden = true;
    if (timer) { clearTimeout(timer); timer = null; }
    var all = pending(), budget = KEEPALIVE_BYTES, batch = [];
    var send = function () { if (batch.length) post('[' + batch.join(',') + ']', true); batch = []; };
    for (var i = 0; i < all.length; i++) {
      var s = JSON.stringify(all[i].s), n = byteLength(s) + 2;
      if (n > budget) break;
      if (batch.length >= BATCH_MAX) send();
      batch.push(s);
      budget -= n;
    }
    send();
  }

  var listening = false;
  function listen() {
    if (listening) return;
    listening = true;
    win.addEventListener('online', function () { failures = 0; notBefore = 0; schedule(0); });
    win.addEventListener('pageshow', function (e) { if (e.persisted && hidden) { hidden = false; schedule(0); } });
    doc.addEventListener('visibilitychange', function () { if (doc.visibilityState === 'visible' && !hidden) schedule(0); });
  }

  /* ------------------------------------------------------------------ the runtime's calls */

  function guard(fn) {
    return function () {
      try { return fn.apply(null, arguments); } catch (e) { note('internal error: ' + (e && e.message)); return null; }
    };
  }

  win.etoolboxXapi = {
    version: 1,
    /* LMSInitialize succeeded. o: {get: LMSGetValue, entry, registration: the one kept in
       suspend_data or null}. Returns the attempt's registration for suspend_data, or null
       when no LRS is configured. */
    sessionStarted: guard(function (o) { return start(o || {}); }),
    /* a page is shown (one of data.pages); leaving a topic makes its 'experienced' */
    pageShown: guard(function (p) {
      if (!S || over || !p || p === S.page) return;
      S.page = p;
      topicLeft();
      if (p.kind === 'topic' && p.topic) S.topic = { page: p, since: Date.now() };
    }),
    /* a question is checked: q from data.questions, its SCORM 1.2 student_response, right or not */
    questionChecked: guard(function (q, scormResponse, correct) {
      if (!S || over) return;
      var ext = {};
      ext[EXT_SCORM12] = String(scormResponse);
      make('responded', questionActivity(q), { response: xapiResponse(q, String(scormResponse)), success: !!correct,
        extensions: ext }, 'question');
    }),
    /* the knowledge check is submitted: score.raw and the lesson_status it gave */
    quizSubmitted: guard(function (raw, status) {
      if (!S || over) return;
      var passed = status === 'passed';
      make(passed ? 'passed' : 'failed', S.module, { score: { scaled: raw / 100, raw: raw, min: 0, max: 100 },
        success: passed, completion: true, duration: durationSince(S.started) }, 'module');
    }),
    /* cmi.core.lesson_status changed: 'completed' when the module becomes done */
    statusChanged: guard(function (from, to) {
      if (!S || over || S.completed) return;
      var done = function (v) { return v === 'passed' || v === 'completed'; };
      if (done(to) && !done(from)) {
        S.completed = true;
        make('completed', S.module, { completion: true, duration: durationSince(S.started) }, 'module');
      }
    }),
    /* LMSFinish: cmi.core.exit and cmi.core.session_time as set; the session's last statements */
    sessionEnded: guard(function (exit, sessionTime) {
      if (!S || over) return;
      topicLeft();
      var d = durationOfTimespan(sessionTime) || durationSince(S.started);
      make(exit === 'suspend' ? 'suspended' : 'terminated', S.module, { duration: d }, 'module');
      over = true;
    }),
    /* the page is going away (pagehide), after the runtime's own LMSFinish */
    pageHidden: guard(function () { flush(); }),

    /* read-only, for tests and the browser console */
    active: function () { return !!cfg; },
    registration: function () { return S ? S.reg : null; },
    pending: function () { return cfg ? pending().map(function (e) { return e.s; }) : []; },
    deadLetters: function () {
      var out = [], ls = storage();
      if (!cfg || !ls) return out;
      for (var i = 0; i < ls.length; i++) {
        var k = ls.key(i);
        if (k && k.indexOf(cfg.key + 'dead.') === 0) { try { out.push(JSON.parse(ls.getItem(k))); } catch (e) { /* skip */ } }
      }
      return out;
    },
    idle: function () { return !!cfg && !busy && !work.length && !pending().length; }
  };
})();
