/* Safer Learning's connection to the LMS for the SCORM runtime: finding the SCORM 1.2 API, and every call to it.
 *
 * Finds the LMS's `API` object by walking up window.parent (then window.opener), as SCORM 1.2 says.
 * Without one, and after LMSFinish, every call does nothing and answers "": no call reaches the LMS
 * again, so the runtime needs no checks of its own. Loaded before safer-learning-scorm.js.
 */
var SaferLearningLms = (function () {
  "use strict";

  var api = null;
  var finished = false; // LMSFinish has been called: the LMS gets no more calls

  function findApi(win) {
    for (var hops = 0; win && hops < 10; hops++) {
      try {
        if (win.API) { return win.API; }
      } catch (error) {
        return null; // a parent on another site: stop looking
      }
      if (!win.parent || win.parent === win) { break; }
      win = win.parent;
    }
    return null;
  }

  function call(method, name, value) {
    if (!api || finished) { return ""; }
    try {
      var answer = method === "LMSSetValue" ? api.LMSSetValue(name, value) : method === "LMSGetValue" ? api.LMSGetValue(name) : api[method]("");
      return answer === undefined || answer === null ? "" : String(answer);
    } catch (error) {
      return "";
    }
  }

  /* LMSInitialize with the API above `win`; false when there is none or it refuses. */
  function connect(win) {
    api = findApi(win) || (win.opener ? findApi(win.opener) : null);
    if (api && call("LMSInitialize") !== "true") { api = null; }
    return Boolean(api);
  }

  function finish() {
    call("LMSFinish");
    finished = true;
  }

  return {
    connect: connect,
    finish: finish,
    get: function (name) { return call("LMSGetValue", name); },
    set: function (name, value) { return call("LMSSetValue", name, String(value)); }, // "true" when the LMS took it
    commit: function () { call("LMSCommit"); },
    connected: function () { return Boolean(api); },
    finished: function () { return finished; }
  };
}());
