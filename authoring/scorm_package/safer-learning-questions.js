/* The questions on a Safer Learning SCORM launch page: which options are ticked, their feedback, and
 * shuffling, for the runtime (safer-learning-scorm.js), which loads after this file.
 *
 * SaferLearningQuestions(data, marking) works on the page's questions with the packaged answer key and
 * option characters (`data`, from the page's sl-data) and the marking rules (safer-learning-marking.js).
 */
var SaferLearningQuestions = function (data, marking) {
  "use strict";

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

  function each(selector, action) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), action);
  }

  function clearFeedback(question) {
    var box = question.querySelector(".sl-feedback");
    box.innerHTML = "";
    box.className = "sl-feedback";
  }

  /* Unticked and without feedback; an unasked question's inputs are disabled, so nothing asks for them. */
  function clearQuestion(question, disabled) {
    Array.prototype.forEach.call(question.querySelectorAll("input"), function (input) { input.checked = false; input.disabled = disabled; });
    clearFeedback(question);
    question.querySelector(".sl-error-message").hidden = true;
  }

  function shuffleOptions(question) {
    var fieldset = question.querySelector(".sl-fieldset");
    var options = Array.prototype.slice.call(fieldset.querySelectorAll(".sl-option"));
    marking.shuffled(options, Math.random).forEach(function (option) { fieldset.appendChild(option); });
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

  return {chosen: chosen, isRight: isRight, showFeedback: showFeedback, clearFeedback: clearFeedback, clearQuestion: clearQuestion,
    shuffleOptions: shuffleOptions, ticks: ticks, tick: tick, each: each};
};
