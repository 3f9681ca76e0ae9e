/*! etoolbox learner runtime: the course UI and SCORM 1.2 tracking of one module SCO.
 * It reads the page the builder emitted (docs/page-contract.md), needs nothing else,
 * requests nothing and works with or without an LMS. See docs/learner-side.md.
 * It tells the xAPI emitter (xapi.js, loaded before it) what happens, through xapi(). */
(function () {
  'use strict';

  var doc = document;
  var win = window;
  var dataEl = doc.getElementById('et-data');
  if (!dataEl || !doc.body) return;
  var data;
  try { data = JSON.parse(dataEl.textContent); } catch (e) { return; }
  if (!data || !data.pages || !data.pages.length) return;

  /* ------------------------------------------------------------------ strings */

  var STRINGS = {
    en: {
      skip: 'Skip to content', contents: 'Contents', toggleToc: 'Contents',
      progress: 'Progress', progressText: '{n} of {t} pages visited',
      visited: 'visited', current: 'current page',
      prev: 'Previous', next: 'Next', pageOf: 'Page {n} of {t}', pagerLabel: 'Previous and next page',
      exit: 'Exit', exitLabel: 'Exit the module',
      lmsOk: 'Connected to your learning platform: your progress is saved.',
      lmsResume: 'Welcome back: you continue where you left off. Your progress is saved.',
      noLms: 'No learning platform found: progress is not saved.',
      lmsFailed: 'Could not connect to your learning platform: progress is not saved.',
      lmsError: 'Your learning platform reported a problem (error {c}): some progress may not be saved.',
      ended: 'You have left the module',
      endedSaved: 'Your progress has been saved. You can close this window.',
      endedUnsaved: 'Your progress was not saved, because no learning platform was found. You can close this window.',
      question: 'Question {n} of {t}',
      chooseOne: 'Choose one answer.', chooseMany: 'Choose all answers that apply.',
      chooseTf: 'Choose true or false.', chooseMatch: 'Choose the matching item for each entry.',
      choosePlaceholder: 'Choose…', yes: 'True', no: 'False',
      check: 'Check answer', answerFirst: 'Choose an answer first.', matchFirst: 'Match every entry first.',
      correct: 'Correct.', incorrect: 'Incorrect.',
      submit: 'Submit the knowledge check', unanswered: 'Answer every question first: {n} not answered yet.',
      attempt: 'Attempt {n}. Your previous score: {s}%.',
      result: 'Your result', score: 'You scored {s}%: {c} of {t} questions right.',
      passed: 'You passed. The pass mark is {m}%.',
      failed: 'You did not pass yet. The pass mark is {m}%. Review the topics, then try again.',
      completedNoQuiz: 'You have visited every page.',
      resultRight: 'right', resultWrong: 'wrong',
      retry: 'Retry the knowledge check', newWindow: '(opens in a new window)',
      passedToc: 'passed', failedToc: 'not passed yet'
    },
    fr: {
      skip: 'Aller au contenu', contents: 'Sommaire', toggleToc: 'Sommaire',
      progress: 'Progression', progressText: '{n} pages vues sur {t}',
      visited: 'vue', current: 'page actuelle',
      prev: 'Précédent', next: 'Suivant', pageOf: 'Page {n} sur {t}', pagerLabel: 'Page précédente et suivante',
      exit: 'Quitter', exitLabel: 'Quitter le module',
      lmsOk: 'Connecté à votre plateforme de formation : votre progression est enregistrée.',
      lmsResume: 'Bon retour : vous reprenez là où vous vous étiez arrêté. Votre progression est enregistrée.',
      noLms: 'Aucune plateforme de formation trouvée : la progression n’est pas enregistrée.',
      lmsFailed: 'Connexion impossible à votre plateforme de formation : la progression n’est pas enregistrée.',
      lmsError: 'Votre plateforme de formation a signalé un problème (erreur {c}) : une partie de la progression peut être perdue.',
      ended: 'Vous avez quitté le module',
      endedSaved: 'Votre progression a été enregistrée. Vous pouvez fermer cette fenêtre.',
      endedUnsaved: 'Votre progression n’a pas été enregistrée, faute de plateforme de formation. Vous pouvez fermer cette fenêtre.',
      question: 'Question {n} sur {t}',
      chooseOne: 'Choisissez une réponse.', chooseMany: 'Choisissez toutes les réponses qui conviennent.',
      chooseTf: 'Choisissez vrai ou faux.', chooseMatch: 'Choisissez l’élément correspondant à chaque entrée.',
      choosePlaceholder: 'Choisir…', yes: 'Vrai', no: 'Faux',
      check: 'Vérifier la réponse', answerFirst: 'Choisissez d’abord une réponse.', matchFirst: 'Associez d’abord chaque entrée.',
      correct: 'Correct.', incorrect: 'Incorrect.',
      submit: 'Valider le questionnaire', unanswered: 'Répondez d’abord à toutes les questions : {n} sans réponse.',
      attempt: 'Tentative {n}. Votre score précédent : {s} %.',
      result: 'Votre résultat', score: 'Votre score : {s} %, {c} bonnes réponses sur {t}.',
      passed: 'Vous avez réussi. Le seuil de réussite est de {m} %.',
      failed: 'Vous n’avez pas encore réussi. Le seuil de réussite est de {m} %. Revoyez les sujets, puis réessayez.',
      completedNoQuiz: 'Vous avez vu toutes les pages.',
      resultRight: 'juste', resultWrong: 'faux',
      retry: 'Refaire le questionnaire', newWindow: '(s’ouvre dans une nouvelle fenêtre)',
      passedToc: 'réussi', failedToc: 'pas encore réussi'
    },
    es: {
      skip: 'Ir al contenido', contents: 'Índice', toggleToc: 'Índice',
      progress: 'Progreso', progressText: '{n} de {t} páginas vistas',
      visited: 'vista', current: 'página actual',
      prev: 'Anterior', next: 'Siguiente', pageOf: 'Página {n} de {t}', pagerLabel: 'Página anterior y siguiente',
      exit: 'Salir', exitLabel: 'Salir del módulo',
      lmsOk: 'Conectado a su plataforma de aprendizaje: su progreso se guarda.',
      lmsResume: 'Bienvenido de nuevo: continúa donde lo dejó. Su progreso se guarda.',
      noLms: 'No se encontró ninguna plataforma de aprendizaje: el progreso no se guarda.',
      lmsFailed: 'No se pudo conectar con su plataforma de aprendizaje: el progreso no se guarda.',
      lmsError: 'Su plataforma de aprendizaje informó de un problema (error {c}): parte del progreso puede no guardarse.',
      ended: 'Ha salido del módulo',
      endedSaved: 'Su progreso se ha guardado. Puede cerrar esta ventana.',
      endedUnsaved: 'Su progreso no se ha guardado porque no se encontró ninguna plataforma de aprendizaje. Puede cerrar esta ventana.',
      question: 'Pregunta {n} de {t}',
      chooseOne: 'Elija una respuesta.', chooseMany: 'Elija todas las respuestas correctas.',
      chooseTf: 'Elija verdadero o falso.', chooseMatch: 'Elija el elemento correspondiente a cada entrada.',
      choosePlaceholder: 'Elegir…', yes: 'Verdadero', no: 'Falso',
      check: 'Comprobar la respuesta', answerFirst: 'Elija primero una respuesta.', matchFirst: 'Relacione primero cada entrada.',
      correct: 'Correcto.', incorrect: 'Incorrecto.',
      submit: 'Enviar el cuestionario', unanswered: 'Responda primero a todas las preguntas: {n} sin responder.',
      attempt: 'Intento {n}. Su puntuación anterior: {s} %.',
      result: 'Su resultado', score: 'Ha obtenido un {s} %: {c} de {t} preguntas correctas.',
      passed: 'Ha aprobado. La nota mínima es {m} %.',
      failed: 'Todavía no ha aprobado. La nota mínima es {m} %. Revise los temas y vuelva a intentarlo.',
      completedNoQuiz: 'Ha visto todas las páginas.',
      resultRight: 'correcta', resultWrong: 'incorrecta',
      retry: 'Repetir el cuestionario', newWindow: '(se abre en una ventana nueva)',
      passedToc: 'aprobado', failedToc: 'todavía no aprobado'
    }
  };
  var lang = String(data.lang || doc.documentElement.lang || 'en').toLowerCase().split('-')[0];
  var L = STRINGS[lang] || STRINGS.en;
  function t(key, vars) {
    var s = L[key] != null ? L[key] : STRINGS.en[key];
    if (vars) for (var k in vars) s = s.split('{' + k + '}').join(String(vars[k]));
    return s;
  }

  /* ------------------------------------------------------------------ data */

  var pages = data.pages;
  var questions = (data.questions || []).slice();
  var mastery = data.module && typeof data.module.mastery_score === 'number' ? data.module.mastery_score : 100;
  var quizIndex = -1;
  for (var pi = 0; pi < pages.length; pi++) if (pages[pi].kind === 'quiz') quizIndex = pi;
  if (!questions.length) quizIndex = -1;

  function keysOf(q) {
    if (q.type === 'true_false') return ['t', 'f'];
    if (q.type === 'matching') return q.pairs.map(function (p) { return p.right_key; });
    return q.choices.map(function (c) { return c.key; });
  }

  /* ------------------------------------------------------------------ SCORM 1.2 */

  var lms = {
    api: null, active: false, finished: false, errors: [], started: Date.now(),
    find: function () {
      function has(w) { try { return !!(w && w.API && typeof w.API.LMSInitialize !== 'undefined'); } catch (e) { return false; } }
      function scan(w) {
        var n = 0;
        try {
          while (w && !has(w) && w.parent && w.parent !== w && n < 7) { n++; w = w.parent; }
        } catch (e) { return null; }
        return has(w) ? w.API : null;
      }
      var api = scan(win);
      try { if (!api && win.opener) api = scan(win.opener); } catch (e) { api = null; }
      try { if (!api && win.top && win.top !== win && win.top.opener) api = scan(win.top.opener); } catch (e) { api = null; }
      return api;
    },
    ok: function (r) { return r === true || r === 'true'; },
    lastError: function () {
      try { var c = String(this.api.LMSGetLastError()); return c === '' ? '0' : c; } catch (e) { return '101'; }
    },
    note: function (what, code) {
      this.errors.push({ call: what, code: code });
      setStatus(t('lmsError', { c: code }), true);
      if (win.console && console.warn) console.warn('etoolbox: SCORM ' + what + ' failed with error ' + code);
    },
    init: function () {
      this.api = this.find();
      if (!this.api) return 'none';
      var r;
      try { r = this.api.LMSInitialize(''); } catch (e) { r = false; }
      if (!this.ok(r)) { this.api = null; return 'failed'; }
      this.active = true;
      return 'ok';
    },
    get: function (el) {
      if (!this.active || this.finished) return '';
      var v;
      try { v = this.api.LMSGetValue(el); } catch (e) { v = ''; }
      var c = this.lastError();
      if (c !== '0') { this.errors.push({ call: 'LMSGetValue(' + el + ')', code: c }); return ''; }
      return v == null ? '' : String(v);
    },
    set: function (el, value) {
      if (!this.active || this.finished) return false;
      var r;
      try { r = this.api.LMSSetValue(el, String(value)); } catch (e) { r = false; }
      var c = this.lastError();
      if (c !== '0' || !this.ok(r)) { this.note('LMSSetValue(' + el + ')', c === '0' ? '101' : c); return false; }
      return true;
    },
    commit: function () {
      if (!this.active || this.finished) return false;
      var r;
      try { r = this.api.LMSCommit(''); } catch (e) { r = false; }
      if (!this.ok(r)) { this.note('LMSCommit', this.lastError()); return false; }
      return true;
    },
    finish: function () {
      if (!this.active || this.finished) return;
      this.finished = true;
      var r;
      try { r = this.api.LMSFinish(''); } catch (e) { r = false; }
      if (!this.ok(r)) this.errors.push({ call: 'LMSFinish', code: this.lastError() });
    }
  };

  function pad(n, w) { n = String(n); while (n.length < (w || 2)) n = '0' + n; return n; }
  /* CMITimespan HHHH:MM:SS.SS (hours 2 to 4 digits) */
  function timespan(ms) {
    var cs = Math.max(0, Math.round(ms / 10));
    var h = Math.floor(cs / 360000);
    if (h > 9999) return '9999:59:59.99';
    cs -= h * 360000;
    var m = Math.floor(cs / 6000); cs -= m * 6000;
    var s = Math.floor(cs / 100); cs -= s * 100;
    return pad(h) + ':' + pad(m) + ':' + pad(s) + '.' + pad(cs);
  }
  /* CMITime HH:MM:SS */
  function clock(d) { return pad(d.getHours()) + ':' + pad(d.getMinutes()) + ':' + pad(d.getSeconds()); }

  /* ------------------------------------------------------------------ xAPI

     The emitter (src/runtime/xapi.js, docs/xapi-statements.md) is told what happens. Its
     calls return at once and never throw here: SCORM tracking never waits on the LRS. */
  function xapi(event) {
    var x = win.etoolboxXapi;
    if (!x || typeof x[event] !== 'function') return null;
    try { return x[event].apply(x, Array.prototype.slice.call(arguments, 1)); } catch (e) { return null; }
  }
  /* the attempt's registration (a UUID) while an LRS is configured, kept in suspend_data */
  var registration = null;

  /* ------------------------------------------------------------------ state and suspend_data */

  var state = {
    page: 0,
    visited: pages.map(function () { return false; }),
    attempts: 0,      /* submitted attempts (capped at 999 when saved) */
    phase: 'q',       /* q: answering, r: result shown */
    last: -1,         /* score of the last submitted attempt, -1 when none */
    answers: questions.map(function () { return emptyAnswer(); })
  };
  function emptyAnswer() { return { resp: [], checked: false }; }

  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  var SUSPEND_MAX = 4096;
  function bitsEncode(bits) {
    var out = '';
    for (var i = 0; i < bits.length; i += 6) {
      var v = 0;
      for (var j = 0; j < 6 && i + j < bits.length; j++) if (bits[i + j]) v |= 1 << j;
      out += B64.charAt(v);
    }
    return out;
  }
  function bitsDecode(s, n) {
    var bits = [];
    for (var i = 0; i < n; i++) {
      var v = B64.indexOf(s.charAt(Math.floor(i / 6)));
      bits.push(v > 0 && ((v >> (i % 6)) & 1) === 1);
    }
    return bits;
  }
  function hash(str) {
    var h = 0x811c9dc5;
    for (var i = 0; i < str.length; i++) { h ^= str.charCodeAt(i); h = Math.imul(h, 0x01000193) >>> 0; }
    return h >>> 0;
  }
  /* Fingerprint of the module's structure: suspend_data written by another
     version of the package (pages or questions changed) is not misread. */
  var fingerprint = (function () {
    var s = pages.map(function (p) { return p.id; }).join('\n') + '\n#';
    questions.forEach(function (q) { s += '\n' + q.id + ':' + q.type + ':' + keysOf(q).length; });
    var h = hash(s) & 0xffffff;
    return B64.charAt(h & 63) + B64.charAt((h >> 6) & 63) + B64.charAt((h >> 12) & 63) + B64.charAt((h >> 18) & 63);
  })();

  /* One token per question: '!' when checked, then the response:
     single_choice: the key; true_false: t or f; multiple_choice: a bit set of the choices
     (base64, 6 choices a character); matching: one right key per left item, '_' for none. */
  function tokenOf(q, a, keepResponse) {
    var r = keepResponse ? a.resp : [];
    var s = '';
    if (r.length) {
      if (q.type === 'multiple_choice') {
        s = bitsEncode(q.choices.map(function (c) { return r.indexOf(c.key) >= 0; }));
      } else if (q.type === 'matching') {
        s = q.pairs.map(function (p, i) { return r[i] || '_'; }).join('');
      } else {
        s = r[0];
      }
    }
    return (a.checked && keepResponse ? '!' : '') + s;
  }
  function tokenParse(q, tok) {
    var a = emptyAnswer();
    if (tok.charAt(0) === '!') { a.checked = true; tok = tok.slice(1); }
    var keys = keysOf(q);
    if (q.type === 'multiple_choice') {
      var bits = bitsDecode(tok, keys.length);
      a.resp = keys.filter(function (k, i) { return bits[i]; });
    } else if (q.type === 'matching') {
      if (tok.length === q.pairs.length) {
        a.resp = tok.split('').map(function (c) { return keys.indexOf(c) >= 0 ? c : ''; });
        if (a.resp.join('') === '') a.resp = [];
      }
    } else if (tok.length === 1 && keys.indexOf(tok) >= 0) {
      a.resp = [tok];
    }
    if (a.checked && !complete(q, a.resp)) a.checked = false;
    return a;
  }
  /* Layout: 1|FFFF|visited|attempts|phase+score|tok,tok,...[|registration] (see
     docs/learner-side.md); the seventh field, the xAPI registration's 32 hex digits, only
     while an LRS is configured. Whatever the learner does the result stays <= 4096
     characters: every field has a fixed maximum for a given module, and if a (huge) module
     could ever exceed the limit the answers of unchecked questions, then all answers, then
     the visited set, then the registration are dropped, in that order, leaving at most 17
     characters. */
  function encodeState(st, level) {
    level = level || 0;
    var toks = questions.map(function (q, i) {
      var a = st.answers[i];
      return level >= 2 ? '' : tokenOf(q, a, level === 0 || a.checked);
    });
    var f = ['1', fingerprint, level >= 3 ? '' : bitsEncode(st.visited), String(Math.min(st.attempts, 999)),
      st.phase + (st.last >= 0 ? String(st.last) : ''), level >= 2 ? '' : toks.join(',')];
    if (registration && level < 4) f.push(registration.replace(/-/g, ''));
    var s = f.join('|');
    if (s.length > SUSPEND_MAX && level < 4) return encodeState(st, level + 1);
    return s;
  }
  function decodeState(s) {
    var f = String(s || '').split('|');
    if ((f.length !== 6 && f.length !== 7) || f[0] !== '1' || f[1] !== fingerprint) return null;
    var st = {
      page: 0,
      visited: bitsDecode(f[2], pages.length),
      attempts: Math.min(999, parseInt(f[3], 10) || 0),
      phase: f[4].charAt(0) === 'r' ? 'r' : 'q',
      last: /^\d{1,3}$/.test(f[4].slice(1)) ? Math.min(100, parseInt(f[4].slice(1), 10)) : -1,
      answers: []
    };
    var toks = f[5].split(',');
    questions.forEach(function (q, i) { st.answers.push(tokenParse(q, toks.length === questions.length ? toks[i] : '')); });
    if (st.phase === 'r' && st.last < 0) st.phase = 'q';
    /* a six-field value (written without an LRS, or before) keeps no registration */
    var r = /^[0-9a-f]{32}$/.test(f[6] || '') ? f[6] : '';
    st.registration = r ? [r.slice(0, 8), r.slice(8, 12), r.slice(12, 16), r.slice(16, 20), r.slice(20)].join('-') : null;
    return st;
  }
  /* The longest suspend_data this module can produce: every field at its maximum. */
  function suspendBound() {
    var n = 1 + 1 + 4 + 1 + Math.ceil(pages.length / 6) + 1 + 3 + 1 + 4 + 1 + (registration ? 33 : 0);
    questions.forEach(function (q, i) {
      var k = keysOf(q).length;
      n += 1 + (q.type === 'multiple_choice' ? Math.ceil(k / 6) : q.type === 'matching' ? k : 1) + (i ? 1 : 0);
    });
    return Math.min(n, SUSPEND_MAX);
  }

  /* ------------------------------------------------------------------ answers */

  function complete(q, resp) {
    if (q.type === 'matching') {
      if (resp.length !== q.pairs.length) return false;
      for (var i = 0; i < resp.length; i++) if (!resp[i]) return false;
      return true;
    }
    return resp.length > 0;
  }
  function correctKeys(q) {
    if (q.type === 'true_false') return [q.answer ? 't' : 'f'];
    if (q.type === 'matching') return q.pairs.map(function (p) { return p.right_key; });
    return q.choices.filter(function (c) { return c.correct; }).map(function (c) { return c.key; });
  }
  function isCorrect(q, resp) {
    var want = correctKeys(q);
    if (q.type === 'matching') return resp.join(',') === want.join(',');
    var got = resp.slice().sort();
    return got.join(',') === want.slice().sort().join(',');
  }
  function scormType(q) { return q.type === 'true_false' ? 'true-false' : q.type === 'matching' ? 'matching' : 'choice'; }
  function scormResponse(q, resp) {
    if (q.type === 'matching') return q.pairs.map(function (p, i) { return p.key + '.' + resp[i]; }).join(',');
    return resp.slice().sort().join(',');
  }
  /* Right items of a matching question, in a fixed order that is never the source order. */
  function matchOrder(q) {
    var keys = q.pairs.map(function (p, i) { return i; });
    var seed = hash(q.id) || 1;
    for (var i = keys.length - 1; i > 0; i--) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      var j = seed % (i + 1), tmp = keys[i]; keys[i] = keys[j]; keys[j] = tmp;
    }
    var same = true;
    for (var k = 0; k < keys.length; k++) if (keys[k] !== k) same = false;
    if (same) keys.push(keys.shift());
    return keys.map(function (i) { return q.pairs[i]; });
  }

  /* ------------------------------------------------------------------ DOM helpers */

  function el(tag, attrs, kids) {
    var e = doc.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] == null || attrs[k] === false) continue;
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k] === true ? '' : attrs[k]);
    }
    if (kids) kids.forEach(function (c) { if (c) e.appendChild(typeof c === 'string' ? doc.createTextNode(c) : c); });
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); }
  function focusEl(e) {
    if (!e) return;
    if (!e.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(e.tagName)) e.setAttribute('tabindex', '-1');
    try { e.focus({ preventScroll: false }); } catch (x) { e.focus(); }
  }

  /* ------------------------------------------------------------------ building the UI */

  var body = doc.body;
  var header = doc.querySelector('header.et-header') || body.insertBefore(el('header', { class: 'et-header' }), body.firstChild);
  var main = doc.getElementById('et-main');
  if (!main) return;
  var sections = pages.map(function (p) { return doc.getElementById(p.id); });

  body.classList.remove('et-nojs');
  body.classList.add('et-js');

  var skip = el('a', { class: 'et-skip', href: '#et-main', text: t('skip'), onclick: function (e) { e.preventDefault(); focusHeading(); } });
  body.insertBefore(skip, body.firstChild);

  var statusLine = el('p', { class: 'et-status', role: 'status', 'aria-live': 'polite' });
  var progressLabel = el('span', { class: 'et-progress-label', id: 'et-progress-label', text: t('progress') });
  var progressBar = el('div', { class: 'et-progress-bar', role: 'progressbar', 'aria-labelledby': 'et-progress-label', 'aria-valuemin': '0', 'aria-valuemax': '100' }, [el('span', { class: 'et-progress-fill' })]);
  var progressText = el('span', { class: 'et-progress-text' });
  var exitBtn = el('button', { type: 'button', class: 'et-exit', 'aria-label': t('exitLabel'), onclick: function () { exit(); } }, [t('exit')]);
  if (t('exitLabel').indexOf(t('exit')) < 0) exitBtn.removeAttribute('aria-label');
  var tools = el('div', { class: 'et-tools' }, [
    el('div', { class: 'et-progress' }, [progressLabel, progressBar, progressText]),
    exitBtn
  ]);
  header.appendChild(tools);
  header.appendChild(statusLine);

  var tocList = el('ol', { class: 'et-toc-list', id: 'et-toc-list' });
  var tocToggle = el('button', { type: 'button', class: 'et-toc-toggle', 'aria-expanded': 'false', 'aria-controls': 'et-toc-list', onclick: function () {
    var open = !toc.classList.contains('et-open');
    toc.classList.toggle('et-open', open);
    tocToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
  } }, [t('toggleToc')]);
  var toc = el('nav', { class: 'et-toc', 'aria-label': t('contents') }, [tocToggle, tocList]);
  var tocLinks = pages.map(function (p, i) {
    var mark = el('span', { class: 'et-toc-mark', 'aria-hidden': 'true' });
    var note = el('span', { class: 'et-sr' });
    var a = el('a', { href: '#' + p.id, onclick: function (e) {
      e.preventDefault();
      toc.classList.remove('et-open');
      tocToggle.setAttribute('aria-expanded', 'false');
      go(i, true);
    } }, [mark, el('span', { class: 'et-toc-title', text: p.title }), note]);
    tocList.appendChild(el('li', { class: 'et-toc-' + p.kind }, [a]));
    return { a: a, mark: mark, note: note };
  });

  var layout = el('div', { class: 'et-layout' });
  body.insertBefore(layout, main);
  layout.appendChild(toc);
  layout.appendChild(main);

  var prevBtn = el('button', { type: 'button', class: 'et-prev', onclick: function () { go(state.page - 1, true); } });
  var nextBtn = el('button', { type: 'button', class: 'et-next', onclick: function () { go(state.page + 1, true); } });
  var pageNum = el('span', { class: 'et-pagenum' });
  var pager = el('nav', { class: 'et-pager', 'aria-label': t('pagerLabel') }, [prevBtn, pageNum, nextBtn]);
  main.appendChild(pager);

  /* links to the web open outside the package: never navigate the SCO away */
  Array.prototype.forEach.call(main.querySelectorAll('a[href]'), function (a) {
    var href = a.getAttribute('href');
    if (/^https?:/i.test(href)) {
      a.setAttribute('target', '_blank');
      a.setAttribute('rel', 'noopener noreferrer');
      a.appendChild(el('span', { class: 'et-sr', text: ' ' + t('newWindow') }));
    } else if (href.charAt(0) === '#') {
      for (var i = 0; i < pages.length; i++) if ('#' + pages[i].id === href) {
        (function (idx) { a.addEventListener('click', function (e) { e.preventDefault(); go(idx, true); }); })(i);
      }
    }
  });

  function setStatus(msg, sticky) {
    if (statusLine.getAttribute('data-sticky') && !sticky) return;
    if (sticky) statusLine.setAttribute('data-sticky', '1');
    statusLine.textContent = msg;
  }
  function focusHeading() {
    var s = sections[state.page];
    focusEl(s && (s.querySelector('h1') || s));
  }

  /* ------------------------------------------------------------------ navigation */

  function render() {
    sections.forEach(function (s, i) { if (s) s.hidden = i !== state.page; });
    var visited = 0;
    tocLinks.forEach(function (l, i) {
      if (state.visited[i]) visited++;
      if (i === state.page) l.a.setAttribute('aria-current', 'page'); else l.a.removeAttribute('aria-current');
      var notes = [];
      if (state.visited[i]) notes.push(t('visited'));
      if (i === quizIndex && state.last >= 0) notes.push(state.last >= mastery ? t('passedToc') : t('failedToc'));
      l.note.textContent = notes.length ? ' (' + notes.join(', ') + ')' : '';
      l.mark.textContent = state.visited[i] ? '✓' : '';
      l.a.parentNode.classList.toggle('et-visited', state.visited[i]);
    });
    var pct = Math.round(100 * visited / pages.length);
    progressBar.setAttribute('aria-valuenow', String(pct));
    progressBar.setAttribute('aria-valuetext', t('progressText', { n: visited, t: pages.length }));
    progressBar.firstChild.style.width = pct + '%';
    progressText.textContent = t('progressText', { n: visited, t: pages.length });
    var p = state.page;
    prevBtn.disabled = p === 0;
    nextBtn.disabled = p === pages.length - 1;
    clear(prevBtn); clear(nextBtn);
    prevBtn.appendChild(el('span', { class: 'et-pager-dir' }, [el('span', { 'aria-hidden': 'true', text: '← ' }), t('prev')]));
    nextBtn.appendChild(el('span', { class: 'et-pager-dir' }, [t('next'), el('span', { 'aria-hidden': 'true', text: ' →' })]));
    if (p > 0) prevBtn.appendChild(el('span', { class: 'et-pager-title' }, [el('span', { class: 'et-sr', text: ': ' }), pages[p - 1].title]));
    if (p < pages.length - 1) nextBtn.appendChild(el('span', { class: 'et-pager-title' }, [el('span', { class: 'et-sr', text: ': ' }), pages[p + 1].title]));
    pageNum.textContent = t('pageOf', { n: p + 1, t: pages.length });
  }

  function go(i, moveFocus) {
    if (ended || i < 0 || i >= pages.length) return;
    state.page = i;
    xapi('pageShown', pages[i]);
    var fresh = !state.visited[i];
    state.visited[i] = true;
    if (i === quizIndex) quizMark = Date.now();
    render();
    lms.set('cmi.core.lesson_location', pages[i].id.slice(0, 255));
    save();
    if (fresh && booted) { maybeComplete(); lms.commit(); }
    if (moveFocus) {
      focusHeading();
      if (win.scrollTo) win.scrollTo(0, 0);
    }
  }

  /* ------------------------------------------------------------------ the knowledge check */

  var quizBox = doc.getElementById('et-quiz');
  var quizMark = Date.now();
  var qViews = [];
  var submitMsg, resultHeading;

  function readResponse(i) {
    var q = questions[i], v = qViews[i];
    if (q.type === 'matching') return v.selects.map(function (s) { return s.value; });
    return v.inputs.filter(function (x) { return x.checked; }).map(function (x) { return x.value; });
  }
  function onInput(i) {
    if (state.answers[i].checked) return;
    state.answers[i].resp = readResponse(i);
    if (state.answers[i].resp.join('') === '') state.answers[i].resp = [];
    qViews[i].msg.textContent = '';
    save();
  }

  function renderQuestion(q, i) {
    var a = state.answers[i];
    var base = 'et-q-' + q.id;
    var v = { inputs: [], selects: [] };
    var hintKey = q.type === 'single_choice' ? 'chooseOne' : q.type === 'multiple_choice' ? 'chooseMany' : q.type === 'true_false' ? 'chooseTf' : 'chooseMatch';
    var fs = el('fieldset', { class: 'et-q et-q-' + q.type, id: base, 'aria-describedby': base + '-hint' }, [
      el('legend', {}, [el('span', { class: 'et-qnum', text: t('question', { n: i + 1, t: questions.length }) }), ' ', el('span', { class: 'et-prompt', text: q.prompt })]),
      el('p', { class: 'et-hint', id: base + '-hint', text: t(hintKey) })
    ]);
    if (q.type === 'matching') {
      var order = matchOrder(q);
      var rows = el('div', { class: 'et-match' });
      q.pairs.forEach(function (p, j) {
        var id = base + '-' + p.key;
        var sel = el('select', { id: id, onchange: function () { onInput(i); } }, [el('option', { value: '', text: t('choosePlaceholder') })]);
        order.forEach(function (o) { sel.appendChild(el('option', { value: o.right_key, text: o.right })); });
        sel.value = a.resp[j] || '';
        v.selects.push(sel);
        rows.appendChild(el('div', { class: 'et-match-row' }, [el('label', { for: id, text: p.left }), sel]));
      });
      fs.appendChild(rows);
    } else {
      var opts = q.type === 'true_false' ? [{ key: 't', text: t('yes') }, { key: 'f', text: t('no') }] : q.choices;
      var list = el('ul', { class: 'et-choices' });
      opts.forEach(function (c) {
        var id = base + '-' + c.key;
        var inp = el('input', { type: q.type === 'multiple_choice' ? 'checkbox' : 'radio', name: base, id: id, value: c.key, onchange: function () { onInput(i); } });
        inp.checked = a.resp.indexOf(c.key) >= 0;
        v.inputs.push(inp);
        list.appendChild(el('li', { class: 'et-choice' }, [inp, el('label', { for: id, text: c.text })]));
      });
      fs.appendChild(list);
    }
    v.check = el('button', { type: 'button', class: 'et-check', onclick: function () { checkQuestion(i, true); } }, [t('check')]);
    v.msg = el('p', { class: 'et-qmsg', role: 'status' });
    v.feedback = el('div', { class: 'et-feedback', hidden: true });
    fs.appendChild(el('div', { class: 'et-check-row' }, [v.check, v.msg]));
    fs.appendChild(v.feedback);
    v.fs = fs;
    qViews[i] = v;
    if (a.checked) showFeedback(i);
    return fs;
  }

  function showFeedback(i) {
    var q = questions[i], a = state.answers[i], v = qViews[i];
    var ok = isCorrect(q, a.resp);
    v.inputs.forEach(function (x) { x.disabled = true; x.parentNode.classList.toggle('et-chosen', x.checked); });
    v.selects.forEach(function (x) { x.disabled = true; });
    v.check.hidden = true;
    v.msg.textContent = '';
    clear(v.feedback);
    v.feedback.className = 'et-feedback ' + (ok ? 'et-right' : 'et-wrong');
    v.feedback.appendChild(el('p', { class: 'et-verdict' }, [el('span', { class: 'et-icon', 'aria-hidden': 'true', text: ok ? '✓ ' : '✗ ' }), el('strong', { text: ok ? t('correct') : t('incorrect') })]));
    var fb = q.feedback && (ok ? q.feedback.correct : q.feedback.incorrect);
    if (fb) v.feedback.appendChild(el('p', { text: fb }));
    if (q.choices) q.choices.forEach(function (c) {
      if (c.feedback && a.resp.indexOf(c.key) >= 0) v.feedback.appendChild(el('p', { class: 'et-choice-fb' }, [el('strong', { text: c.text }), ' — ' + c.feedback]));
    });
    v.feedback.hidden = false;
  }

  function record(i) {
    var q = questions[i], a = state.answers[i];
    var now = Date.now();
    var n = parseInt(lms.get('cmi.interactions._count'), 10);
    if (!(n >= 0)) n = 0;
    var p = 'cmi.interactions.' + n + '.';
    var ok = isCorrect(q, a.resp);
    lms.set(p + 'id', q.id);
    lms.set(p + 'type', scormType(q));
    lms.set(p + 'student_response', scormResponse(q, a.resp));
    lms.set(p + 'result', ok ? 'correct' : 'wrong');
    lms.set(p + 'latency', timespan(now - quizMark));
    lms.set(p + 'time', clock(new Date(now)));
    lms.set(p + 'weighting', '1');
    lms.set(p + 'correct_responses.0.pattern', scormResponse(q, correctKeys(q)));
    quizMark = now;
    xapi('questionChecked', q, scormResponse(q, a.resp), ok);
  }

  /* returns true when the question is (now) checked */
  function checkQuestion(i, interactive) {
    var q = questions[i], a = state.answers[i], v = qViews[i];
    if (a.checked) return true;
    a.resp = readResponse(i);
    if (!complete(q, a.resp)) {
      if (interactive) {
        v.msg.textContent = t(q.type === 'matching' ? 'matchFirst' : 'answerFirst');
        focusEl(v.inputs[0] || v.selects[0]);
      }
      return false;
    }
    a.checked = true;
    record(i);
    showFeedback(i);
    if (interactive) {
      save();
      lms.commit();
      focusEl(v.feedback);
    }
    return true;
  }

  function renderQuiz(focusWhat) {
    if (!quizBox || quizIndex < 0) return;
    clear(quizBox);
    qViews = [];
    resultHeading = null;
    if (state.phase === 'r') return renderResult(focusWhat);
    var intro = null;
    if (state.attempts > 0 && state.last >= 0) {
      intro = el('p', { class: 'et-attempt', text: t('attempt', { n: state.attempts + 1, s: state.last }) });
      quizBox.appendChild(intro);
    }
    questions.forEach(function (q, i) { quizBox.appendChild(renderQuestion(q, i)); });
    submitMsg = el('p', { class: 'et-submit-msg', role: 'status' });
    quizBox.appendChild(el('div', { class: 'et-submit-row' }, [
      el('button', { type: 'button', class: 'et-submit', onclick: submitQuiz }, [t('submit')]), submitMsg
    ]));
    if (focusWhat === 'attempt') focusEl(intro || (qViews[0] && (qViews[0].inputs[0] || qViews[0].selects[0])));
  }

  function submitQuiz() {
    var missing = [];
    questions.forEach(function (q, i) {
      if (!state.answers[i].checked && !complete(q, readResponse(i))) missing.push(i);
    });
    if (missing.length) {
      submitMsg.textContent = t('unanswered', { n: missing.length });
      var v = qViews[missing[0]];
      focusEl(v.inputs[0] || v.selects[0]);
      return;
    }
    questions.forEach(function (q, i) { checkQuestion(i, false); });
    var right = 0;
    questions.forEach(function (q, i) { if (isCorrect(q, state.answers[i].resp)) right++; });
    var score = Math.round(100 * right / questions.length);
    state.attempts++;
    state.last = score;
    state.phase = 'r';
    lms.set('cmi.core.score.raw', String(score));
    var before = lmsStatus;
    lms.set('cmi.core.lesson_status', score >= mastery ? 'passed' : 'failed');
    lmsStatus = score >= mastery ? 'passed' : 'failed';
    xapi('quizSubmitted', score, lmsStatus);
    xapi('statusChanged', before, lmsStatus);
    save();
    lms.commit();
    render();
    renderQuiz('result');
  }

  function renderResult(focusWhat) {
    var right = 0;
    var list = el('ul', { class: 'et-result-list' });
    questions.forEach(function (q, i) {
      var a = state.answers[i];
      var ok = a.checked && isCorrect(q, a.resp);
      if (ok) right++;
      if (!a.checked) return;
      list.appendChild(el('li', { class: ok ? 'et-right' : 'et-wrong' }, [
        el('span', { class: 'et-icon', 'aria-hidden': 'true', text: ok ? '✓ ' : '✗ ' }),
        el('span', { text: t('question', { n: i + 1, t: questions.length }) + ' (' + (ok ? t('resultRight') : t('resultWrong')) + '): ' + q.prompt })
      ]));
    });
    var score = state.last;
    var passed = score >= mastery;
    var all = state.answers.every(function (a) { return a.checked; });
    resultHeading = el('h2', { class: 'et-result-h', tabindex: '-1', text: t('result') });
    var box = el('div', { class: 'et-result ' + (passed ? 'et-pass' : 'et-fail') }, [
      resultHeading,
      el('p', { class: 'et-score' }, [el('strong', { text: t('score', { s: score, c: all ? right : Math.round(score * questions.length / 100), t: questions.length }) })]),
      el('p', { class: 'et-verdict-text', text: passed ? t('passed', { m: mastery }) : t('failed', { m: mastery }) })
    ]);
    if (list.firstChild) box.appendChild(list);
    if (!passed) box.appendChild(el('button', { type: 'button', class: 'et-retry', onclick: retry }, [t('retry')]));
    quizBox.appendChild(box);
    if (focusWhat === 'result') focusEl(resultHeading);
  }

  function retry() {
    state.phase = 'q';
    state.answers = questions.map(function () { return emptyAnswer(); });
    quizMark = Date.now();
    save();
    lms.commit();
    renderQuiz('attempt');
  }

  /* ------------------------------------------------------------------ status and exit */

  var lmsStatus = '';
  var ended = false;
  var booted = false;

  function maybeComplete() {
    /* a module without questions is completed once every page has been visited */
    if (questions.length || !lms.active) return;
    for (var i = 0; i < state.visited.length; i++) if (!state.visited[i]) return;
    if (lmsStatus !== 'completed' && lmsStatus !== 'passed') {
      var before = lmsStatus;
      lms.set('cmi.core.lesson_status', 'completed');
      lmsStatus = 'completed';
      xapi('statusChanged', before, lmsStatus);
    }
  }
  function done() { return lmsStatus === 'passed' || lmsStatus === 'completed'; }

  var lastSaved = null;
  function save() {
    if (!lms.active || lms.finished) return;
    var s = encodeState(state);
    if (s !== lastSaved && lms.set('cmi.suspend_data', s)) lastSaved = s;
  }

  function finish() {
    if (!lms.active || lms.finished) return;
    save();
    var exitValue = done() ? '' : 'suspend';
    var sessionTime = timespan(Date.now() - lms.started);
    lms.set('cmi.core.exit', exitValue);
    lms.set('cmi.core.session_time', sessionTime);
    xapi('sessionEnded', exitValue, sessionTime);
    lms.finish();
  }

  function showEnded() {
    ended = true;
    body.classList.add('et-ended');
    sections.forEach(function (s) { if (s) s.hidden = true; });
    pager.hidden = true;
    toc.hidden = true;
    tools.hidden = true;
    var h = el('h1', { tabindex: '-1', text: t('ended') });
    main.insertBefore(el('section', { class: 'et-page et-ended-page' }, [h,
      el('p', { text: lms.active ? t('endedSaved') : t('endedUnsaved') })]), main.firstChild);
    focusEl(h);
  }

  function exit() {
    if (ended) return;
    finish();
    showEnded();
  }

  /* ------------------------------------------------------------------ start */

  var how = lms.init();
  var resumed = false;
  if (lms.active) {
    lmsStatus = lms.get('cmi.core.lesson_status');
    var entry = lms.get('cmi.core.entry');
    if (lmsStatus === '' || lmsStatus === 'not attempted' || lmsStatus === 'browsed') {
      lms.set('cmi.core.lesson_status', 'incomplete');
      lmsStatus = 'incomplete';
    }
    var kept = null;
    if (entry !== 'ab-initio') {
      var restored = decodeState(lms.get('cmi.suspend_data'));
      if (restored) { state = restored; resumed = true; kept = restored.registration; }
      var loc = lms.get('cmi.core.lesson_location');
      for (var li = 0; li < pages.length; li++) if (pages[li].id === loc) { state.page = li; resumed = true; }
    }
    /* the xAPI session: 'initialized' or 'resumed'; its registration goes into suspend_data */
    registration = xapi('sessionStarted', {
      get: function (el) { return lms.get(el); }, entry: entry, registration: kept
    }) || null;
  }
  renderQuiz();
  go(state.page, false);
  maybeComplete();
  lms.commit();
  booted = true;

  setTimeout(function () {
    if (how === 'none') setStatus(t('noLms'));
    else if (how === 'failed') setStatus(t('lmsFailed'));
    else setStatus(resumed ? t('lmsResume') : t('lmsOk'));
  }, 50);
  if (how !== 'ok') body.classList.add('et-unsaved');

  win.addEventListener('pagehide', function () { finish(); xapi('pageHidden'); });
  win.addEventListener('pageshow', function (e) { if (e.persisted && lms.finished && !ended) showEnded(); });
  doc.addEventListener('visibilitychange', function () {
    if (doc.visibilityState === 'hidden' && lms.active && !lms.finished) { save(); lms.commit(); }
  });

  /* a small read-only hook for tests and for debugging in the browser console */
  win.etoolbox = {
    version: 1,
    connected: function () { return lms.active && !lms.finished; },
    errors: function () { return lms.errors.slice(); },
    suspendData: function () { return encodeState(state); },
    suspendBound: suspendBound,
    page: function () { return pages[state.page].id; },
    registration: function () { return registration; }
  };
})();
