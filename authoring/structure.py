"""The shape of a cell, checked for mistakes that would silently change what learners see.

Each rule here catches a way of typing a cell that Markdown would still show, but not as the trainer
meant: an answer key ('- [x]' ticks and '>' feedback) shown as lesson text because the question
heading has the wrong number of '#' or is not at the top of its cell; a page that never starts
because its heading is inside another cell or underlined; braces learners would read in a heading.
Rules return (what is wrong, how to fix it) pairs; module.py reports them against the cell.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from authoring.language import code_for_name, language_tag

Finding = tuple[str, str]

# Anything a trainer may have meant as an answer option: a bullet or a number, then brackets holding
# nothing, a space, an x, or a tick-like mark ('- [ x ]', '-[x]', '* [X]', '1. [x]', '- [✓]').
# '- [Link text](url)' is a link, not an option: the brackets hold more than one mark.
OPTION_LIKE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<bullet>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]*)\[(?P<inner>[ \t]*(?P<mark>[xX✓✔☑✗×vV*]?)[ \t]*)\](?!\()(?P<text>.*)$")
CANONICAL_OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[[ xX]\]")  # what JupyterLab shows as a tick box
RIGHT_MARKS, WRONG_MARKS = ("x", "X"), ("",)
# Feedback typed on the option line: a '>' between spaces (or at the end). '\>' stays a plain '>'.
FEEDBACK_ON_LINE = re.compile(r"(?:^|[ \t])>(?:[ \t]|$)")
QUESTION_WORDS = r"(question|knowledge[ \t_-]*check)"
ANY_QUESTION_HEADING = re.compile(rf"^[ \t]{{0,3}}(#{{1,6}})([ \t]*){QUESTION_WORDS}\b(.*)$", re.IGNORECASE)
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[-*+]|\d{1,9}[.)])[ \t]+\S")
INDENTED_QUOTE = re.compile(r"^[ \t]+>")
CALLOUT_QUOTE = re.compile(r"^[ \t]*>[ \t]*\*\*[^*]+\*\*")
PAGE_HEADING_LINE = re.compile(r"^[ \t]{0,3}#[ \t]+\S")
SUB_HEADING = re.compile(r"^[ \t]{0,3}#{2,6}[ \t]+(.*?)[ \t#]*$")
NO_SPACE_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})([^\s#\\].*)$")
SETEXT_PAGE_UNDERLINE = re.compile(r"^[ \t]{0,3}=+[ \t]*$")
# One pair of single braces (not a '{{placeholder}}'), or an opening brace never closed.
BRACES = re.compile(r"(?<!\{)\{(?!\{)([^{}]*)(\}(?!\})|$)")
LANG_ATTRIBUTE = re.compile(r"^[ \t]*lang[ \t]*=[ \t]*([A-Za-z0-9-]*)[ \t]*$")
NOT_A_PARAGRAPH = ("#", ">", "-", "*", "+", "|", "=")
SPLIT_FIX = "(click at the start of line {line} and press Ctrl+Shift+- in JupyterLab)"


@dataclass
class CellShape:
    """What the structure rules found in one lesson cell, and whether the cell should be left out."""

    problems: list[Finding] = field(default_factory=list)
    is_broken_question: bool = False  # a question whose heading is wrong: not a page, not lesson text


def lines_outside_code(source: str) -> list[tuple[int, str]]:
    """(line number in the cell, line) for every line not inside a ``` or ~~~ fenced block: code is shown as written."""
    found, fence = [], ""
    for number, line in enumerate(source.splitlines(), start=1):
        opening = FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = ""
        elif opening:
            fence = opening.group(1)
        else:
            found.append((number, line))
    return found


def check_lesson_cell(source: str) -> CellShape:
    """Every structure problem in a Markdown cell that is not a question or outcome cell."""
    lines = lines_outside_code(source)
    shape = CellShape()
    answers = _answer_key_lines(lines)
    if answers:
        shape.problems.append(_misplaced_question(lines, answers, shape))
    if not shape.is_broken_question:
        shape.problems.extend(_heading_problems(lines))
    return shape


def _answer_key_lines(lines: list[tuple[int, str]]) -> list[int]:
    """Lines of an answer key in a cell that is not a question: option-like lines, or bracketless options with feedback."""
    options = [n for n, line in lines if _is_option_like(line)]
    if options:
        return options
    under_items = [n for (n, line), (_, after) in zip(lines, lines[1:], strict=False)
                   if LIST_ITEM.match(line) and INDENTED_QUOTE.match(after) and not CALLOUT_QUOTE.match(after)]
    return under_items if len(under_items) >= 2 else []


def _is_option_like(line: str) -> bool:
    return bool(OPTION_LIKE.match(line))


def _misplaced_question(lines: list[tuple[int, str]], answers: list[int], shape: CellShape) -> Finding:
    """Why answer-key lines would show as lesson text: a wrong question heading, a late one, or none at all."""
    first = next(((n, line) for n, line in lines if line.strip()), (1, ""))
    heading = next(((n, line, m) for n, line in lines if (m := ANY_QUESTION_HEADING.match(line)) and n <= answers[0]), None)
    visible = "so learners would see it as lesson text, with the right answers ticked and the feedback showing"
    if heading is None:
        return (f"line {answers[0]} is written as an answer option ('- [x] ...' or an option with '> ' feedback under it) "
                f"but the cell is not a question, {visible}",
                "if it is a question, start the cell with '### Knowledge check' or '### Question' (three '#'); "
                "if it is a list, take the brackets and the '> ' lines out")
    number, line, match = heading
    meant = _meant_heading(match)
    if number == first[0]:
        shape.is_broken_question = True
        return (f"'{line.strip()}' is {_heading_kind(match)}, not a question heading, {visible}",
                f"change the first line to '{meant}': a question heading has exactly three '#' and a space")
    return (f"the question heading '{line.strip()}' is on line {number} of the cell, not at the top, "
            f"so the whole cell is lesson text: learners would see the question with the right answers ticked and the feedback showing",
            f"split the cell just above that line {SPLIT_FIX.format(line=number)}, so '{meant}' is the first line of its own cell")


def _heading_kind(match: re.Match[str]) -> str:
    """What a wrongly written question heading is read as, in the trainer's words."""
    hashes = match.group(1)
    if not match.group(2):
        return "not a heading at all (there is no space after the '#')"
    if hashes == "#":
        return "a page heading (it would start a page of its own)"
    if len(hashes) == 3:
        return "written differently from a question heading"
    return f"a heading with {len(hashes)} '#'"


def _meant_heading(match: re.Match[str]) -> str:
    word = "Question" if match.group(3).lower().startswith("q") else "Knowledge check"
    return f"### {word}{(' ' + match.group(4).strip()) if match.group(4).strip() else ''}"


def _heading_problems(lines: list[tuple[int, str]]) -> list[Finding]:
    """Headings that would not do what they look like: a page that never starts, braces shown as text."""
    found: list[Finding] = []
    first = next((n for n, line in lines if line.strip()), 0)
    previous = ""
    for number, line in lines:
        if number == first and NO_SPACE_HEADING.match(line):
            found.append((f"the first line '{line.strip()[:40]}' has no space after the '#', so it is not a heading: learners see the '#' and no new page starts",
                          "put a space after the '#' ('# Page title'), or write '\\#' if you meant a hashtag"))
        elif number != first and PAGE_HEADING_LINE.match(line):
            found.append((f"the page heading '{line.strip()}' on line {number} is inside the cell, so it does not start a new page: learners would see it in the middle of the page before",
                          f"split the cell just above it {SPLIT_FIX.format(line=number)}, so the heading is the first line of its own cell"))
        elif SETEXT_PAGE_UNDERLINE.match(line) and previous.strip() and not previous.lstrip().startswith(NOT_A_PARAGRAPH):
            found.append((f"'{previous.strip()}' is underlined with '=' on line {number}: JupyterLab shows a big heading, but it does not start a page",
                          f"write it as '# {previous.strip()}' at the top of its own cell, and delete the '=' line"))
        elif (sub := SUB_HEADING.match(line)) and BRACES.search(sub.group(1)):
            found.append((f"the heading '{line.strip()}' ends with braces that learners would see as text",
                          "only a page heading ('# ') can end with {lang=cy}; remove the braces from this heading"))
        previous = line
    return found


def split_page_title(title: str) -> tuple[str, str, Finding | None]:
    """A page heading's text without a trailing '{lang=cy}', the language it sets, and what is wrong with its braces."""
    braces = list(BRACES.finditer(title))
    if not braces:
        return title, "", None
    last = braces[-1]
    shown = title[last.start():].strip()
    if len(braces) > 1 or title[last.end():].strip():
        return title, "", (f"the page heading has braces '{shown}' that are not at its end, and learners would see them",
                           "keep braces only for a language at the very end of the heading, e.g. '# Croeso {lang=cy}'")
    if not last.group(2):
        return title, "", (f"the page heading has a '{{' that is never closed ('{shown}')", "close it with '}', e.g. '# Croeso {lang=cy}', or remove it")
    attribute = LANG_ATTRIBUTE.match(last.group(1))
    if attribute is None:
        return title, "", (f"the page heading ends with '{shown}', which is not a setting a page can have",
                           "to say the page is in another language, end the heading with its code, e.g. '{lang=cy}' for Welsh; otherwise remove the braces")
    written = attribute.group(1)
    code = language_tag(written)
    if not code:
        meant = code_for_name(written)
        return title, "", (f"'{written or '(nothing)'}' in '{shown}' is not a language code",
                           f"write {{lang={meant}}}" if meant else "write a language code, e.g. {lang=cy} for Welsh or {lang=en} for English")
    return title[:last.start()].rstrip(), code, None


def raw_cell_problem(source: str) -> Finding | None:
    """A Raw cell after the first is left out of the lessons: say so when it holds a page or a question."""
    lines = [line for line in source.splitlines() if line.strip()]
    if not lines:
        return None
    holds = ("a question" if any(ANY_QUESTION_HEADING.match(line) or _is_option_like(line) for line in lines)
             else "a page heading" if any(PAGE_HEADING_LINE.match(line) for line in lines) else "")
    if not holds:
        return None
    return (f"this Raw cell holds {holds}, but Raw cells after the first are left out, so learners will not see it",
            "if learners should see it, change the cell to Markdown (press Esc, then M, in JupyterLab)")
