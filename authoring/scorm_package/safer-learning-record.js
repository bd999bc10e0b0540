/* What the Safer Learning SCORM runtime keeps in the LMS: the resume state in cmi.suspend_data, one
 * cmi.interactions entry per assessment question, and the session time, in the formats strict SCORM 1.2 allows.
 *
 * Plain functions with no page or LMS in sight, so tests run this file in node. Questions are named by
 * their interaction id and options by one character each (a-z, 0-9), both worked out when the package
 * is built (authoring/scorm_record.py).
 */
var SaferLearningRecord = (function () {
  "use strict";

  var LIMIT = 4096; // cmi.suspend_data is a CMIString4096 in SCORM 1.2
  var FORMAT = "1"; // the first field: a later runtime that writes another layout changes it
  var REF = /^[A-Za-z0-9_-]{1,255}$/;
  var TICKED = /^[0-9a-z]*$/;

  /* "ref:ticked" entries joined by commas; a knowledge check the learner has checked ends in "+". */
  function entries(list) {
    return list.map(function (entry) { return entry.ref + ":" + entry.ticked + (entry.checked ? "+" : ""); }).join(",");
  }

  /* format|version|submitted|assessment|knowledge checks, never longer than LIMIT. Too long, the knowledge checks go
   * first, then the attempt's ticks (its questions and whether it was submitted stay); "" only when even that is too long. */
  function encodeResume(state) {
    var unticked = state.assessment.map(function (entry) { return {ref: entry.ref, ticked: "", checked: false}; });
    var tries = [[state.assessment, state.knowledge], [state.assessment, []], [unticked, []]];
    for (var index = 0; index < tries.length; index++) {
      var text = [FORMAT, state.version, state.submitted ? "1" : "0", entries(tries[index][0]), entries(tries[index][1])].join("|");
      if (text.length <= LIMIT) { return text; }
    }
    return "";
  }

  function parseEntries(text) {
    if (!text) { return []; }
    return text.split(",").map(function (item) {
      var parts = item.split(":");
      var ticked = parts[1] || "";
      var checked = ticked.slice(-1) === "+";
      ticked = checked ? ticked.slice(0, -1) : ticked;
      return parts.length === 2 && REF.test(parts[0]) && TICKED.test(ticked) ? {ref: parts[0], ticked: ticked, checked: checked} : null;
    });
  }

  /* The state encodeResume wrote for this version of the package; null when there is none, it is another version's, or unreadable. */
  function decodeResume(text, version) {
    var parts = String(text || "").split("|");
    if (parts.length !== 5 || parts[0] !== FORMAT || parts[1] !== version || !/^[01]$/.test(parts[2])) { return null; }
    var assessment = parseEntries(parts[3]);
    var knowledge = parseEntries(parts[4]);
    if (assessment.indexOf(null) >= 0 || knowledge.indexOf(null) >= 0) { return null; }
    return {version: version, submitted: parts[2] === "1", assessment: assessment, knowledge: knowledge};
  }

  /* The characters of the chosen options, sorted and comma separated (a choice response); null if one has none. */
  function response(characters, optionIds) {
    var chosen = optionIds.map(function (id) { return characters[id] || ""; });
    return chosen.indexOf("") >= 0 || !chosen.length ? null : chosen.sort().join(",");
  }

  function pad(number, width) {
    var text = String(number);
    while (text.length < width) { text = "0" + text; }
    return text;
  }

  /* CMITimespan, HHHH:MM:SS.SS: how long the session took. */
  function timespan(milliseconds) {
    var hundredths = Math.floor(milliseconds / 10);
    var hours = Math.min(Math.floor(hundredths / 360000), 9999);
    return pad(hours, 4) + ":" + pad(Math.floor(hundredths / 6000) % 60, 2) + ":" + pad(Math.floor(hundredths / 100) % 60, 2) + "." +
      pad(hundredths % 100, 2);
  }

  /* CMITime, HH:MM:SS, the learner's clock. */
  function clockTime(date) {
    return [date.getHours(), date.getMinutes(), date.getSeconds()].map(function (part) { return pad(part, 2); }).join(":");
  }

  /* Question id by interaction id, to read saved state back. */
  function byRef(questions) {
    var ids = Object.create(null); // no inherited names: a saved "constructor" or "__proto__" names no question
    Object.keys(questions).forEach(function (id) { ids[questions[id].ref] = id; });
    return ids;
  }

  /* cmi.interactions._count as a number when it is a whole number written in digits; else 0 ("1.5", "-3", "abc", ""). */
  function interactionCount(text) {
    return /^[0-9]{1,9}$/.test(String(text)) ? Number(text) : 0;
  }

  /* The [element, value] pairs that record one answered question as interaction n. */
  function interactionValues(n, question) {
    var prefix = "cmi.interactions." + n + ".";
    var values = [[prefix + "id", question.ref], [prefix + "type", question.type], [prefix + "time", question.time],
      [prefix + "weighting", "1"]];
    if (question.response !== null) { values.push([prefix + "student_response", question.response]); }
    values.push([prefix + "result", question.right ? "correct" : "wrong"]);
    if (question.pattern !== null) { values.push([prefix + "correct_responses.0.pattern", question.pattern]); }
    return values;
  }

  return {LIMIT: LIMIT, encodeResume: encodeResume, decodeResume: decodeResume, response: response, timespan: timespan,
    clockTime: clockTime, byRef: byRef, interactionCount: interactionCount, interactionValues: interactionValues};
}());

if (typeof module !== "undefined" && module.exports) { module.exports = SaferLearningRecord; }
