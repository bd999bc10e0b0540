/* Safer Learning SCORM 1.2 runtime: page-by-page navigation, marking, and reporting to the LMS.
 *
 * Finds the LMS's `API` object by walking up window.parent (then window.opener), as SCORM 1.2 says.
 * Without one the module still works as a plain web page; nothing is recorded. After LMSFinish it is a
 * plain web page too: no call reaches the LMS again. The score, the pass and the draw of each attempt's
 * questions come from safer-learning-marking.js; the formats of suspend_data and cmi.interactions from
 * safer-learning-record.js. Both are loaded before this file.
 */
(function () {
  "use strict";

  var marking = window.SaferLearningMarking;
  var record = window.SaferLearningRecord;
  var data = JSON.parse(document.getElementById("sl-data").textContent);
  var pages = Array.prototype.slice.call(document.querySelectorAll(".sl-page"));
  var startedAt = new Date();
  var api = null;
  var finishing = false;
  var finished = false; // LMSFinish has been called: the LMS gets no more calls
  var status = "";
  var asked = []; // the scored questions this attempt asks, in page order
  var submitted = false; // this attempt has been marked
  var checked = {}; // knowledge checks the learner has checked, by question id
  var saved = ""; // the suspend_data the LMS holds, so an unchanged state is not sent again

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

  function lms(method, name, value) {
    if (!api || finished) { return ""; }
    try {
      return method === "LMSSetValue" ? api.LMSSetValue(name, value) : method === "LMSGetValue" ? api.LMSGetValue(name) : api[method]("");
    } catch (error) {
      return "";
    }
  }

  function setValue(name, value) { lms("LMSSetValue", name, String(value)); }

  function show(number, moveFocus) {
    number = Math.max(1, Math.min(number, pages.length));
    pages.forEach(function (page) { page.hidden = Number(page.getAttribute("data-page")) !== number; });
    if (moveFocus) { document.getElementById("page-" + number + "-title").focus(); window.scrollTo(0, 0); }
    setValue("cmi.core.lesson_location", number);
    saveProgress();
    lms("LMSCommit");
  }

  function chosen(questionId) {
    var inputs = document.querySelectorAll("input[name='" + questionId + "']");
    return Array.prototype.filter.call(inputs, function (input) { return input.checked; }).map(function (input) { return input.value; });
  }

  function isRight(questionId, answer) { return marking.isRight(data.key[questionId].correct, answer); }

  function optionHtml(questionId, optionId) {
    return document.querySelector("label[for='" + questionId + "-" + optionId + "']").innerHTML;
  }

  /* Feedback for the chosen options (and the right answer, when asked), from the packaged key. */
  function showFeedback(questionId, answer, showAnswer) {
    var key = data.key[questionId];
    var right = isRight(questionId, answer);
    var items = key.correct.concat(answer.filter(function (id) { return key.correct.indexOf(id) < 0; }));
    var html = "<p class=\"sl-body sl-bold\">" + (right ? "Correct" : "Not quite") + "</p><ul class=\"sl-list\">";
    items.forEach(function (optionId) {
      var picked = answer.indexOf(optionId) >= 0;
      if (!picked && !showAnswer) { return; }
      html += "<li><span class=\"sl-bold\">" + (picked ? "You chose: " : "The right answer: ") + "</span>" + optionHtml(questionId, optionId) +
        (key.feedback[optionId] ? "<br>" + key.feedback[optionId] : "") + "</li>";
    });
    var box = document.getElementById(questionId + "-feedback");
    box.className = "sl-feedback " + (right ? "sl-feedback--right" : "sl-feedback--wrong");
    box.innerHTML = html + "</ul>";
  }

  function checkKnowledge(questionId) {
    var answer = chosen(questionId);
    var error = document.getElementById(questionId + "-error");
    if (!answer.length) {
      error.textContent = "Choose an answer";
      error.hidden = false;
      return;
    }
    error.hidden = true;
    showFeedback(questionId, answer, true);
    checked[questionId] = true;
    saveProgress();
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  /* A new attempt asking `drawn`: hide the others, shuffle options where the kind allows, number them. */
  function newAttempt(drawn) {
    asked = [];
    submitted = false;
    each(".sl-question[data-scored='true']", function (question) {
      var id = question.getAttribute("data-question");
      var isAsked = drawn.indexOf(id) >= 0;
      question.hidden = !isAsked;
      clearQuestion(question, !isAsked);
      if (!isAsked) { return; }
      asked.push(id);
      question.querySelector(".sl-question-number").textContent = "Question " + asked.length;
      if (data.kinds[data.questions[id].kind].shufflesOptions) { shuffleOptions(question); }
    });
  }

  /* Unticked and without feedback; an unasked question's inputs are disabled, so nothing asks for them. */
  function clearQuestion(question, disabled) {
    Array.prototype.forEach.call(question.querySelectorAll("input"), function (input) { input.checked = false; input.disabled = disabled; });
    var box = question.querySelector(".sl-feedback");
    box.innerHTML = "";
    box.className = "sl-feedback";
    question.querySelector(".sl-error-message").hidden = true;
  }

  function shuffleOptions(question) {
    var fieldset = question.querySelector(".sl-fieldset");
    var options = Array.prototype.slice.call(fieldset.querySelectorAll(".sl-option"));
    marking.shuffled(options, Math.random).forEach(function (option) { fieldset.appendChild(option); });
  }

  function submitAssessment(event) {
    event.preventDefault();
    var missing = [];
    asked.forEach(function (id, index) {
      var error = document.getElementById(id + "-error");
      error.hidden = chosen(id).length > 0;
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
    var correct = asked.filter(function (id) { return isRight(id, chosen(id)); }).length;
    asked.forEach(function (id) { showFeedback(id, chosen(id), false); });
    var total = asked.length;
    var score = marking.scorePercent(correct, total);
    var passed = marking.passes(correct, total, data.passMark);
    submitted = true;
    each("#sl-assessment input", function (input) { input.disabled = true; });
    document.getElementById("sl-submit").hidden = true;
    document.getElementById("sl-result-heading").textContent = passed ? "You passed" : "You did not pass this time";
    document.getElementById("sl-result-detail").textContent = "You answered " + correct + " of " + total + " questions correctly (" + score +
      "%). The pass mark is " + data.passMark + "%.";
    document.getElementById("sl-retry").hidden = passed || finished;
    document.getElementById("sl-finish").hidden = false;
    document.getElementById("sl-result").hidden = false;
    return {score: score, passed: passed};
  }

  function recordResult(result) {
    if (status !== "passed") { // a pass is never taken back by a later try
      status = result.passed ? "passed" : "failed";
      setValue("cmi.core.score.min", 0);
      setValue("cmi.core.score.max", 100);
      setValue("cmi.core.score.raw", result.score);
      setValue("cmi.core.lesson_status", status);
    }
    recordInteractions();
    saveProgress();
    lms("LMSCommit");
  }

  /* One cmi.interactions entry per question asked, after those the LMS already holds (every try adds its own). */
  function recordInteractions() {
    var first = parseInt(lms("LMSGetValue", "cmi.interactions._count"), 10) || 0;
    var time = record.clockTime(new Date());
    asked.forEach(function (id, index) {
      var question = data.questions[id];
      var answer = chosen(id);
      record.interactionValues(first + index, {ref: question.ref, type: question.type, time: time, right: isRight(id, answer),
        response: record.response(question.responses, answer), pattern: record.response(question.responses, data.key[id].correct)})
        .forEach(function (pair) { setValue(pair[0], pair[1]); });
    });
  }

  /* Ticked options as their characters, sorted: the same characters the interactions use. */
  function ticks(questionId) {
    var responses = data.questions[questionId].responses;
    return chosen(questionId).map(function (optionId) { return responses[optionId] || ""; }).sort().join("");
  }

  function tick(questionId, characters) {
    var responses = data.questions[questionId].responses;
    each("input[name='" + questionId + "']", function (input) {
      input.checked = Boolean(responses[input.value]) && characters.indexOf(responses[input.value]) >= 0;
    });
  }

  /* What a learner who leaves comes back to, in cmi.suspend_data (sent only when it changed). */
  function saveProgress() {
    var knowledge = [];
    each(".sl-knowledge-check", function (question) {
      var id = question.getAttribute("data-question");
      if (chosen(id).length) { knowledge.push({ref: data.questions[id].ref, ticked: ticks(id), checked: Boolean(checked[id])}); }
    });
    var text = record.encodeResume({version: data.version, submitted: submitted, knowledge: knowledge,
      assessment: asked.map(function (id) { return {ref: data.questions[id].ref, ticked: ticks(id), checked: false}; })});
    if (text === saved) { return; }
    saved = text;
    setValue("cmi.suspend_data", text);
  }

  /* Put back the knowledge-check answers, the attempt's questions and its ticks; false if the attempt cannot be. */
  function restore(state) {
    var byRef = record.byRef(data.questions);
    state.knowledge.forEach(function (entry) {
      var id = byRef[entry.ref];
      if (!id || data.questions[id].scored) { return; }
      tick(id, entry.ticked);
      if (entry.checked && chosen(id).length) {
        checked[id] = true;
        showFeedback(id, chosen(id), true);
      }
    });
    var ids = state.assessment.map(function (entry) { return byRef[entry.ref]; });
    if (!ids.length || ids.some(function (id) { return !id || !data.questions[id].scored; })) { return false; }
    newAttempt(ids);
    state.assessment.forEach(function (entry) { tick(byRef[entry.ref], entry.ticked); });
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
    lms("LMSCommit");
  }

  /* Once only: where the learner is, session time, how they left, then LMSCommit and LMSFinish, the last call. */
  function finish() {
    if (finishing) { return; }
    finishing = true;
    saveProgress();
    setValue("cmi.core.session_time", record.timespan(new Date() - startedAt));
    setValue("cmi.core.exit", status === "passed" ? "" : "suspend");
    lms("LMSCommit");
    lms("LMSFinish");
    finished = true;
  }

  function onClick(event) {
    var target = event.target.closest("button");
    if (!target) { return; }
    if (target.hasAttribute("data-go")) { show(Number(target.getAttribute("data-go")), true); }
    if (target.hasAttribute("data-check")) { checkKnowledge(target.getAttribute("data-check")); }
    if (target.id === "sl-retry") { retry(); }
    if (target.id === "sl-finish") {
      finish();
      document.getElementById("sl-finished").hidden = false;
      document.getElementById("sl-retry").hidden = true; // nothing more would be recorded
      target.disabled = true;
    }
  }

  /* The saved state, when the LMS gives one for this version of the package. */
  function connect() {
    api = findApi(window) || (window.opener ? findApi(window.opener) : null);
    if (!api || String(lms("LMSInitialize")) !== "true") {
      api = null;
      return {page: 1, state: null};
    }
    status = String(lms("LMSGetValue", "cmi.core.lesson_status") || "");
    if (status === "not attempted" || status === "") {
      status = "incomplete";
      setValue("cmi.core.lesson_status", status);
    }
    saved = String(lms("LMSGetValue", "cmi.suspend_data") || "");
    return {page: parseInt(lms("LMSGetValue", "cmi.core.lesson_location"), 10) || 1, state: record.decodeResume(saved, data.version)};
  }

  function start() {
    var resume = connect();
    document.getElementById("sl-no-lms").hidden = Boolean(api);
    each(".sl-nav, .sl-check, #sl-submit", function (element) { element.hidden = false; });
    document.addEventListener("click", onClick);
    if (!(resume.state && restore(resume.state))) { newAttempt(marking.draw(data.draw, Math.random)); }
    document.getElementById("sl-assessment").addEventListener("submit", submitAssessment);
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
    show(resume.page, false);
  }

  start();
}());
