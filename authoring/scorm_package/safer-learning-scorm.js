/* Safer Learning SCORM 1.2 runtime: page-by-page navigation, marking, and reporting to the LMS.
 *
 * Every call to the LMS goes through safer-learning-lms.js: without an LMS the module still works as a
 * plain web page and nothing is recorded; after LMSFinish it is a plain web page too. The score, the
 * pass and the draw of each attempt's questions come from safer-learning-marking.js; the formats of
 * suspend_data and cmi.interactions from safer-learning-record.js. All three are loaded before this file.
 */
(function () {
  "use strict";

  var marking = window.SaferLearningMarking;
  var record = window.SaferLearningRecord;
  var lms = window.SaferLearningLms;
  var data = JSON.parse(document.getElementById("sl-data").textContent);
  var questions = window.SaferLearningQuestions(data, marking);
  var pages = Array.prototype.slice.call(document.querySelectorAll(".sl-page"));
  var startedAt = new Date();
  var finishing = false;
  var lost = false; // the session ended while the page stayed (back from the browser's cache): nothing is recorded now
  var status = "";
  var best = null; // the best score the LMS holds for this attempt, so a lower fail never replaces a higher one
  var asked = []; // the scored questions this attempt asks, in page order
  var submitted = false; // this attempt has been marked
  var checked = {}; // knowledge checks the learner has checked, by question id
  var saved = ""; // the suspend_data the LMS holds, so an unchanged state is not sent again

  function show(number, moveFocus) {
    number = Math.max(1, Math.min(number, pages.length));
    pages.forEach(function (page) { page.hidden = Number(page.getAttribute("data-page")) !== number; });
    if (moveFocus) { document.getElementById("page-" + number + "-title").focus(); window.scrollTo(0, 0); }
    lms.set("cmi.core.lesson_location", number);
    saveProgress();
    lms.commit();
  }

  function checkKnowledge(questionId) {
    var answer = questions.chosen(questionId);
    var error = document.getElementById(questionId + "-error");
    if (!answer.length) {
      error.textContent = "Choose an answer";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    questions.showFeedback(questionId, answer, true);
    checked[questionId] = true;
    keep();
  }

  /* A new attempt asking `drawn`: hide the others, shuffle options where the kind allows, number them. */
  function newAttempt(drawn) {
    asked = [];
    submitted = false;
    questions.each(".sl-question[data-scored='true']", function (question) {
      var id = question.getAttribute("data-question");
      var isAsked = drawn.indexOf(id) >= 0;
      question.hidden = !isAsked;
      questions.clearQuestion(question, !isAsked);
      if (!isAsked) { return; }
      asked.push(id);
      question.querySelector(".sl-question-number").textContent = "Question " + asked.length;
      if (data.kinds[data.questions[id].kind].shufflesOptions) { questions.shuffleOptions(question); }
    });
  }

  function submitAssessment(event) {
    event.preventDefault();
    var missing = [];
    asked.forEach(function (id, index) {
      var error = document.getElementById(id + "-error");
      error.hidden = questions.chosen(id).length > 0;
      error.textContent = "Answer question " + (index + 1);
      if (!error.hidden) { missing.push([id, error.textContent]); }
    });
    var summary = document.getElementById("sl-errors");
    if (missing.length) {
      document.getElementById("sl-error-list").innerHTML = missing.map(function (item) {
        return "<li><a href=\"#" + item[0] + "-" + document.querySelector("input[name='" + item[0] + "']").value + "\">" + item[1] + "</a></li>";
      }).join("");
      summary.hidden = false;
      summary.focus();
      return;
    }
    summary.hidden = true;
    var result = mark();
    recordResult(result);
    document.getElementById("sl-result").focus();
  }

  /* Mark this attempt's answers and show the result (also for an attempt restored as submitted). */
  function mark() {
    var correct = asked.filter(function (id) { return questions.isRight(id, questions.chosen(id)); }).length;
    asked.forEach(function (id) { questions.showFeedback(id, questions.chosen(id), false); });
    var total = asked.length;
    var score = marking.scorePercent(correct, total);
    var passed = marking.passes(correct, total, data.passMark);
    submitted = true;
    questions.each("#sl-assessment input", function (input) { input.disabled = true; });
    document.getElementById("sl-submit").hidden = true;
    document.getElementById("sl-result-heading").textContent = passed ? "You passed" : "You did not pass this time";
    document.getElementById("sl-result-detail").textContent = "You answered " + correct + " of " + total + " questions correctly (" + score +
      "%). The pass mark is " + data.passMark + "%." + (lost ? " This result has not been recorded." : "");
    document.getElementById("sl-retry").hidden = passed || lms.finished();
    document.getElementById("sl-retry").className = "sl-button"; // after a fail, trying again is the main thing to do
    document.getElementById("sl-finish").className = passed ? "sl-button" : "sl-button sl-button--secondary";
    document.getElementById("sl-finish").hidden = false;
    document.getElementById("sl-result").className = passed ? "sl-result" : "sl-result sl-result--not-passed"; // green only for a pass
    document.getElementById("sl-result").hidden = false;
    return {score: score, passed: passed};
  }

  function recordResult(result) {
    if (status !== "passed") { // a pass is never taken back by a later try, nor a better score by a worse fail
      status = result.passed ? "passed" : "failed";
      if (result.passed || best === null || result.score > best) {
        best = result.score;
        lms.set("cmi.core.score.min", 0);
        lms.set("cmi.core.score.max", 100);
        lms.set("cmi.core.score.raw", result.score);
      }
      lms.set("cmi.core.lesson_status", status);
    }
    recordInteractions();
    saveProgress();
    lms.commit();
  }

  /* One cmi.interactions entry per question asked, after those the LMS already holds (every try adds its own).
   * The first value the LMS refuses stops the rest: it would refuse them too. */
  function recordInteractions() {
    var first = record.interactionCount(lms.get("cmi.interactions._count"));
    var time = record.clockTime(new Date());
    asked.every(function (id, index) {
      var question = data.questions[id];
      var answer = questions.chosen(id);
      return record.interactionValues(first + index, {ref: question.ref, type: question.type, time: time, right: questions.isRight(id, answer),
        response: record.response(question.responses, answer), pattern: record.response(question.responses, data.key[id].correct)})
        .every(function (pair) { return lms.set(pair[0], pair[1]) === "true"; });
    });
  }

  /* What a learner who leaves comes back to, in cmi.suspend_data: sent only when it changed, and never as nothing
   * (a state too large to keep leaves the last one). True when it was sent. */
  function saveProgress() {
    var knowledge = [];
    questions.each(".sl-knowledge-check", function (question) {
      var id = question.getAttribute("data-question");
      if (questions.chosen(id).length) { knowledge.push({ref: data.questions[id].ref, ticked: questions.ticks(id), checked: Boolean(checked[id])}); }
    });
    var text = record.encodeResume({version: data.version, submitted: submitted, knowledge: knowledge,
      assessment: asked.map(function (id) { return {ref: data.questions[id].ref, ticked: questions.ticks(id), checked: false}; })});
    if (text === saved || text === "") { return false; }
    saved = text;
    lms.set("cmi.suspend_data", text);
    return true;
  }

  /* Save now, and ask the LMS to store it (LMSCommit): on every answer, and whenever the page may be about to go. */
  function keep() {
    if (saveProgress()) { lms.commit(); }
  }

  /* Put back the knowledge-check answers, the attempt's questions and its ticks; false if the attempt cannot be. */
  function restore(state) {
    var byRef = record.byRef(data.questions);
    state.knowledge.forEach(function (entry) {
      var id = byRef[entry.ref];
      if (!id || data.questions[id].scored) { return; }
      questions.tick(id, entry.ticked);
      if (entry.checked && questions.chosen(id).length) {
        checked[id] = true;
        questions.showFeedback(id, questions.chosen(id), true);
      }
    });
    var ids = state.assessment.map(function (entry) { return byRef[entry.ref]; });
    if (!marking.fitsDraw(data.draw, ids)) { return false; } // only a draw this package could have made
    newAttempt(ids);
    state.assessment.forEach(function (entry) { questions.tick(byRef[entry.ref], entry.ticked); });
    if (state.submitted) { mark(); }
    return true;
  }

  /* A retry is a new attempt: its questions are drawn again. */
  function retry() {
    newAttempt(marking.draw(data.draw, Math.random));
    document.getElementById("sl-result").hidden = true;
    document.getElementById("sl-submit").hidden = false;
    document.getElementById("page-" + pages.length + "-title").focus();
    saveProgress();
    lms.commit();
  }

  /* Once only: where the learner is, session time, how they left, then LMSCommit and LMSFinish, the last call. */
  function finish() {
    if (finishing) { return; }
    finishing = true;
    saveProgress();
    lms.set("cmi.core.session_time", record.timespan(new Date() - startedAt));
    lms.set("cmi.core.exit", status === "passed" ? "" : "suspend");
    lms.commit();
    lms.finish();
  }

  function onClick(event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.hasAttribute("data-go")) { show(Number(target.getAttribute("data-go")), true); }
    if (target.hasAttribute("data-check")) { checkKnowledge(target.getAttribute("data-check")); }
    if (target.id === "sl-retry") { retry(); }
    if (target.id === "sl-finish") {
      finish();
      document.getElementById(status === "passed" || !lms.connected() ? "sl-finished" : "sl-finished-not-passed").hidden = false;
      document.getElementById("sl-retry").hidden = true; // nothing more would be recorded
      target.disabled = true;
    }
  }

  /* The saved state, when the LMS gives one for this version of the package. */
  function connect() {
    if (!lms.connect(window)) { return {page: 1, state: null}; }
    status = lms.get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") {
      status = "incomplete";
      lms.set("cmi.core.lesson_status", status);
    }
    var raw = lms.get("cmi.core.score.raw");
    best = /^[0-9]{1,3}(\.[0-9]+)?$/.test(raw) ? Number(raw) : null;
    saved = lms.get("cmi.suspend_data");
    return {page: parseInt(lms.get("cmi.core.lesson_location"), 10) || 1, state: record.decodeResume(saved, data.version)};
  }

  /* The saved state put back, or else (none, another version's, or one this package could not have written) a fresh start. */
  function resumeOrBegin(state) {
    try {
      if (state && restore(state)) { return; }
    } catch (error) { /* a state that breaks the page is dropped, not kept for every later launch */ }
    checked = {};
    questions.each(".sl-knowledge-check", function (question) { questions.clearQuestion(question, false); });
    newAttempt(marking.draw(data.draw, Math.random));
  }

  /* A changed answer is saved at once; a knowledge check's feedback was for the old answer, so it goes. */
  function onChange(event) {
    var question = event.target.closest(".sl-question");
    if (!question || submitted && question.getAttribute("data-scored") === "true") { return; }
    if (question.classList.contains("sl-knowledge-check")) {
      delete checked[question.getAttribute("data-question")];
      questions.clearFeedback(question);
    }
    keep();
  }

  /* Back from the browser's cache after the session ended: say so, as nothing now reaches the LMS. */
  function onShow(event) {
    if (!event.persisted || !lms.connected() || !lms.finished()) { return; }
    lost = true;
    document.getElementById("sl-disconnected").hidden = false;
    document.getElementById("sl-retry").hidden = true;
  }

  /* LMSFinish only when the page really goes (pagehide): beforeunload also fires for mailto: and tel: links, which leave it. */
  function start() {
    var resume = connect();
    document.getElementById("sl-no-lms").hidden = lms.connected();
    questions.each(".sl-nav, .sl-check, #sl-submit", function (element) { element.hidden = false; });
    document.addEventListener("click", onClick);
    document.addEventListener("change", onChange);
    resumeOrBegin(resume.state);
    document.getElementById("sl-assessment").addEventListener("submit", submitAssessment);
    window.addEventListener("pagehide", finish);
    window.addEventListener("pageshow", onShow);
    window.addEventListener("beforeunload", keep);
    document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { keep(); } });
    show(resume.page, false);
  }

  start();
}());
