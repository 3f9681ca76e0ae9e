/* The test LMS: scorm-again's SCORM 1.2 API as window.API, every call observed, the SCO
   in an iframe (like Moodle's player) or in a popup window (API found on the opener). */
(function () {
  'use strict';
  var OBSERVED = ['LMSInitialize', 'LMSFinish', 'LMSGetValue', 'LMSSetValue', 'LMSCommit',
    'LMSGetLastError', 'LMSGetErrorString', 'LMSGetDiagnostic'];
  var lms = window.lms = { calls: [], frame: null, popup: null, api: null };

  lms.start = function (opts) {
    var api = new window.Scorm12API({ logLevel: 5, autocommit: false, lmsCommitUrl: false });
    if (opts.cmi) api.loadFromJSON(opts.cmi);
    var finished = false;
    OBSERVED.forEach(function (name) {
      var real = api[name].bind(api);
      api[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        var ret = real.apply(null, args);
        if (/^LMSGet(LastError|ErrorString|Diagnostic)$/.test(name)) { lms.calls.push({ fn: name }); return ret; }
        lms.calls.push({ fn: name, args: args, ret: ret, err: String(api.lastErrorCode), afterFinish: finished, t: Date.now() });
        if (name === 'LMSFinish') finished = true;
        return ret;
      };
    });
    lms.api = api;
    window.API = api;
    if (opts.popup) {
      lms.popup = window.open(opts.url, 'sco', 'width=900,height=700');
    } else {
      var f = document.createElement('iframe');
      f.id = 'scorm_object';
      f.title = 'Course content';
      f.src = opts.url;
      document.body.appendChild(f);
      lms.frame = f;
    }
  };

  /* what the LMS holds: the cmi data model as scorm-again serialises it (write-only elements included) */
  lms.cmi = function () { return JSON.parse(JSON.stringify(lms.api.cmi)); };

  /* the learner leaves: the SCO's window is navigated away (pagehide) */
  lms.leave = function () { if (lms.frame) { lms.frame.src = 'about:blank'; } };
})();
