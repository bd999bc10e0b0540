"""The score and the pass: one rule for the LMS and for the SCORM runtime, which mirrors it in JavaScript.

Whole-number arithmetic only. A percentage is rounded half up (5 of 8 is 62.5%, shown as 63%), which
is what JavaScript's Math.round does for these non-negative values; Python's round() would give 62.
The pass compares whole numbers, so 8 of 10 meets an 80% pass mark exactly.
"""

from __future__ import annotations


def score_percent(correct: int, total: int) -> int:
    """correct/total as a whole percentage, halves rounded up; 0 when nothing was asked."""
    return (200 * correct + total) // (2 * total) if total else 0


def passes(correct: int, total: int, pass_mark: int) -> bool:
    """Whether `correct` of `total` reaches `pass_mark` percent, judged on the exact fraction, not the rounded score."""
    return total > 0 and correct * 100 >= pass_mark * total
