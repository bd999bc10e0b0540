/* Safer Learning SCORM 1.2 runtime: page-by-page navigation, marking, and reporting to the LMS.
 *
 * Finds the LMS's `API` object by walking up window.parent (then window.opener), as SCORM 1.2 says.
 * Without one the module still works as a plain web page; nothing is recorded. The score, the pass and
 * the draw of each attempt's questions come from safer-learning-marking.js, loaded just before this file.
 */
(function () {
  "use strict";

  var marking = window.SaferLearningMarking;
  var data = JSON.parse(document.getElementById("sl-data").textContent);
  var pages = Array.prototype.slice.call(document.querySelectorAll(".sl-page"));
  var startedAt = new Date();
  var api = null;
  var finished = false;
  var status = "";
  var asked = []; // the scored questions this attempt asks, in page order

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
    if (!api) { return ""; }
    try {
      return method === "LMSSetValue" ? api.LMSSetValue(name, value) : method === "LMSGetValue" ? api.LMSGetValue(name) : api[method]("");
    } catch (error) {
      return "";
    }
  }

  function setValue(name, value) { lms("LMSSetValue", name, String(value)); }

  /* CMITimespan, HHHH:MM:SS.SS */
  function timespan(milliseconds) {
    var hundredths = Math.floor(milliseconds / 10);
    var hours = Math.min(Math.floor(hundredths / 360000), 9999);
    var minutes = Math.floor(hundredths / 6000) % 60;
    var seconds = Math.floor(hundredths / 100) % 60;
    function pad(number, width) { var text = String(number); while (text.length < width) { text = "0" + text; } return text; }
    return pad(hours, 4) + ":" + pad(minutes, 2) + ":" + pad(seconds, 2) + "." + pad(hundredths % 100, 2);
  }

  function show(number, moveFocus) {
    number = Math.max(1, Math.min(number, pages.length));
    pages.forEach(function (page) { page.hidden = Number(page.getAttribute("data-page")) !== number; });
    if (moveFocus) { document.getElementById("page-" + number + "-title").focus(); window.scrollTo(0, 0); }
    setValue("cmi.core.lesson_location", number);
    if (!data.hasAssessment && number === pages.length && status !== "completed") {
      status = "completed";
      setValue("cmi.core.lesson_status", status);
    }
    lms("LMSCommit");
  }

  function chosen(questionId) {
    var inputs = document.querySelectorAll("input[name='" + questionId + "']");
    return Array.prototype.filter.call(inputs, function (input) { return input.checked; }).map(function (input) { return input.value; });
  }

  function isRight(questionId, answer) {
    var correct = data.key[questionId].correct;
    return answer.length === correct.length && correct.every(function (id) { return answer.indexOf(id) >= 0; });
  }

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
  }

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  /* A new attempt: draw its questions, hide the others, shuffle options where the kind allows, number them. */
  function newAttempt() {
    var drawn = marking.draw(data.draw, Math.random);
    asked = [];
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
    var correct = 0;
    asked.forEach(function (id) {
      var answer = chosen(id);
      if (isRight(id, answer)) { correct += 1; }
      showFeedback(id, answer, false);
    });
    var total = asked.length;
    var score = marking.scorePercent(correct, total);
    var passed = marking.passes(correct, total, data.passMark);
    recordResult(score, passed);
    each("#sl-assessment input", function (input) { input.disabled = true; });
    document.getElementById("sl-submit").hidden = true;
    document.getElementById("sl-result-heading").textContent = passed ? "You passed" : "You did not pass this time";
    document.getElementById("sl-result-detail").textContent = "You answered " + correct + " of " + total + " questions correctly (" + score +
      "%). The pass mark is " + data.passMark + "%.";
    document.getElementById("sl-retry").hidden = passed;
    document.getElementById("sl-finish").hidden = false;
    var result = document.getElementById("sl-result");
    result.hidden = false;
    result.focus();
  }

  function recordResult(score, passed) {
    if (status !== "passed") { // a pass is never taken back by a later try
      status = passed ? "passed" : "failed";
      setValue("cmi.core.score.min", 0);
      setValue("cmi.core.score.max", 100);
      setValue("cmi.core.score.raw", score);
      setValue("cmi.core.lesson_status", status);
    }
    lms("LMSCommit");
  }

  /* A retry is a new attempt: its questions are drawn again. */
  function retry() {
    newAttempt();
    document.getElementById("sl-result").hidden = true;
    document.getElementById("sl-submit").hidden = false;
    document.getElementById("page-" + pages.length + "-title").focus();
  }

  /* Once only: session time, how the learner left, then LMSCommit and LMSFinish. */
  function finish() {
    if (finished) { return; }
    finished = true;
    setValue("cmi.core.session_time", timespan(new Date() - startedAt));
    setValue("cmi.core.exit", status === "passed" || status === "completed" ? "" : "suspend");
    lms("LMSCommit");
    lms("LMSFinish");
  }

  function start() {
    api = findApi(window) || (window.opener ? findApi(window.opener) : null);
    var resumeAt = 1;
    if (api && String(lms("LMSInitialize")) === "true") {
      status = String(lms("LMSGetValue", "cmi.core.lesson_status") || "");
      if (status === "not attempted" || status === "") {
        status = "incomplete";
        setValue("cmi.core.lesson_status", status);
      }
      resumeAt = parseInt(lms("LMSGetValue", "cmi.core.lesson_location"), 10) || 1;
    } else {
      api = null;
    }
    document.getElementById("sl-no-lms").hidden = Boolean(api);
    each(".sl-nav, .sl-check, #sl-submit", function (element) { element.hidden = false; });
    document.getElementById("sl-finish").hidden = data.hasAssessment;
    document.addEventListener("click", function (event) {
      var target = event.target.closest("button");
      if (!target) { return; }
      if (target.hasAttribute("data-go")) { show(Number(target.getAttribute("data-go")), true); }
      if (target.hasAttribute("data-check")) { checkKnowledge(target.getAttribute("data-check")); }
      if (target.id === "sl-retry") { retry(); }
      if (target.id === "sl-finish") {
        finish();
        document.getElementById("sl-finished").hidden = false;
        target.disabled = true;
      }
    });
    var form = document.getElementById("sl-assessment");
    if (form) {
      newAttempt();
      form.addEventListener("submit", submitAssessment);
    }
    window.addEventListener("pagehide", finish);
    window.addEventListener("beforeunload", finish);
    show(resumeAt, false);
  }

  start();
}());
