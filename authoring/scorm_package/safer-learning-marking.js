/* Safer Learning's assessment rules for the SCORM runtime: the score, the pass, and each attempt's draw.
 *
 * The score and the pass mirror authoring/scoring.py in whole-number arithmetic, so a package and the
 * LMS give the same result for the same answers; tests run this file in node to check every fraction.
 * The draw takes the per-outcome counts that authoring.assessment.allocate worked out at build time.
 */
var SaferLearningMarking = (function () {
  "use strict";

  /* correct/total as a whole percentage, halves rounded up; 0 when nothing was asked. */
  function scorePercent(correct, total) {
    return total ? Math.floor((200 * correct + total) / (2 * total)) : 0;
  }

  /* Whether correct of total reaches passMark percent, judged on the exact fraction, not the rounded score. */
  function passes(correct, total, passMark) {
    return total > 0 && correct * 100 >= passMark * total;
  }

  /* Right only when exactly the correct options are chosen: no partial credit, as authoring/kinds.py says. */
  function isRight(correct, answer) {
    return answer.length === correct.length && correct.every(function (id) { return answer.indexOf(id) >= 0; });
  }

  /* A shuffled copy (Fisher-Yates); `random` returns a number in [0, 1), like Math.random. */
  function shuffled(items, random) {
    var copy = items.slice();
    for (var index = copy.length - 1; index > 0; index--) {
      var other = Math.floor(random() * (index + 1));
      var kept = copy[index];
      copy[index] = copy[other];
      copy[other] = kept;
    }
    return copy;
  }

  /* The ids one attempt asks: `ask` questions from each outcome's group, chosen at random. */
  function draw(groups, random) {
    var asked = [];
    groups.forEach(function (group) {
      asked = asked.concat(shuffled(group.questions, random).slice(0, group.ask));
    });
    return asked;
  }

  /* Whether `ids` could be one draw: no question twice, each from an outcome's group, exactly `ask` from each. */
  function fitsDraw(groups, ids) {
    var seen = Object.create(null);
    var fits = ids.every(function (id) {
      var fresh = typeof id === "string" && !seen[id];
      seen[id] = true;
      return fresh;
    });
    return fits && groups.every(function (group) {
      return ids.filter(function (id) { return group.questions.indexOf(id) >= 0; }).length === group.ask;
    }) && ids.length === groups.reduce(function (sum, group) { return sum + group.ask; }, 0);
  }

  return {scorePercent: scorePercent, passes: passes, isRight: isRight, shuffled: shuffled, draw: draw, fitsDraw: fitsDraw};
}());

if (typeof module !== "undefined" && module.exports) { module.exports = SaferLearningMarking; }
