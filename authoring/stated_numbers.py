"""Numbers prose states by hand that the settings own: the pass mark and how many questions an attempt asks.

Text should write {{pass_mark}} and {{question_count}}; when it writes a number instead and the number
disagrees with the settings, `authoring check` warns, because learners would be told one thing and
marked by another.
"""

from __future__ import annotations

import html
import re

SENTENCE = re.compile(r"[^.!?\n]+")
PASS_MARK = re.compile(r"(\d{1,3})\s*%[^.%\d]{0,30}?\bto pass\b|\bpass mark\b[^.%\d]{0,20}?(\d{1,3})\s*%", re.IGNORECASE)
QUESTIONS = re.compile(r"\b(\d{1,3})\s+(?:scored\s+|multiple-choice\s+)?questions\b", re.IGNORECASE)
ABOUT_THE_TEST = re.compile(r"\b(assessment|test|quiz|answer all)\b", re.IGNORECASE)


def _sentences(fragment: str) -> list[str]:
    text = html.unescape(re.sub(r"<[^>]*>", " ", fragment))
    return [" ".join(s.split()) for s in SENTENCE.findall(text)]


def stated_number_problems(fragment: str, pass_mark: int, question_count: int, on_assessment_page: bool) -> list[tuple[str, str]]:
    """(what is wrong, fix) for each hand-written pass mark or question count that differs from the settings."""
    found = []
    for sentence in _sentences(fragment):
        for match in PASS_MARK.finditer(sentence):
            stated = int(match.group(1) or match.group(2))
            if stated != pass_mark:
                found.append((f"the text says {stated}% to pass but pass_mark is {pass_mark}",
                              "write {{pass_mark}}% instead of the number, so the text follows the setting"))
        if on_assessment_page or ABOUT_THE_TEST.search(sentence):
            for match in QUESTIONS.finditer(sentence):
                stated = int(match.group(1))
                if stated != question_count:
                    found.append((f"the text says {stated} questions but each attempt asks {question_count}",
                                  "write {{question_count}} questions instead of the number, so the text follows the settings"))
    return found
