/* A strict recorder of the SCORM 1.2 calls a package makes, for the browser tests' stand-in LMS.
 *
 * recordCalls(api) gives a wrapper with the eight LMS functions: each call goes on to the real runtime
 * (scorm-again or simplify-scorm) and is logged with its arguments, its answer and LMSGetLastError.
 * Breaking the call sequence or the strict SCORM 1.2 value formats (which lenient runtimes accept) is
 * logged as a problem; the tests fail on any problem.
 */
var SCORM12_FUNCTIONS = ["LMSInitialize", "LMSFinish", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSGetLastError", "LMSGetErrorString",
  "LMSGetDiagnostic"];
var STRICT_FORMATS = [ // SCORM 1.2 RTE 3.4: what strict hosts accept, checked whatever the runtime lets through
  [/^cmi\.suspend_data$/, /^[\s\S]{0,4096}$/],
  [/^cmi\.core\.session_time$/, /^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$/],
  [/^cmi\.interactions\.\d+\.id$/, /^[A-Za-z0-9_-]{1,255}$/],
  [/^cmi\.interactions\.\d+\.type$/, /^(choice|true-false)$/],
  [/^cmi\.interactions\.\d+\.time$/, /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/],
  [/^cmi\.interactions\.\d+\.result$/, /^(correct|wrong)$/],
  [/^cmi\.interactions\.\d+\.(student_response|correct_responses\.\d+\.pattern)$/, /^([0-9a-z](,[0-9a-z])*|[tf01])$/]
];

function strictProblem(element, value) {
  for (var index = 0; index < STRICT_FORMATS.length; index++) {
    if (STRICT_FORMATS[index][0].test(element) && !STRICT_FORMATS[index][1].test(String(value))) {
      return element + " = '" + value + "' is not strict SCORM 1.2";
    }
  }
  return null;
}

function recordCalls(api) {
  var log = {calls: [], problems: [], initialized: false, finished: false};
  var wrapper = {};
  SCORM12_FUNCTIONS.forEach(function (name) {
    wrapper[name] = function () {
      var args = Array.prototype.slice.call(arguments);
      if (log.finished) {
        log.problems.push(name + " after LMSFinish");
      } else if (!log.initialized && name !== "LMSInitialize") {
        log.problems.push(name + " before LMSInitialize");
      }
      var answer = api[name].apply(api, args);
      var error = String(api.LMSGetLastError());
      log.calls.push({name: name, args: args, answer: answer === undefined ? null : String(answer), error: error});
      if (error !== "0") { log.problems.push(name + "(" + args.join(", ") + ") gave error " + error); }
      if (name === "LMSSetValue" && strictProblem(args[0], args[1])) { log.problems.push(strictProblem(args[0], args[1])); }
      if (name === "LMSInitialize") { log.initialized = true; }
      if (name === "LMSFinish") { log.finished = true; }
      return answer;
    };
  });
  return {api: wrapper, log: log};
}
