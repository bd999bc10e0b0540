"""The shape of a cell, checked for mistakes that would silently change what learners see.

Each rule here catches a way of typing a cell that Markdown would still show, but not as the trainer
meant: an answer key ('- [x]' ticks and '>' feedback) shown as lesson text because the question
heading has the wrong number of '#', is not at the top of its cell, or is inside a '>' quote; a page
that never starts because its heading is inside another cell or underlined; braces learners would
read in a heading. Rules return (what is wrong, how to fix it) pairs; module.py reports them against the cell.

Every pattern here is linear in the line it reads: possessive quantifiers (`*+`) where two runs of
the same characters meet, so a line of 200,000 spaces costs no more than reading it (see
authoring/placeholders.py for why).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

import mistune

from authoring.language import code_for_name, language_tag

Finding = tuple[str, str]

# Every Unicode space separator (category Zs) but the ordinary space: em spaces, the ideographic space,
# non-breaking ones. They look like a space to a trainer, so every rule reads them as one. (All Zs
# characters are in the Basic Multilingual Plane.) pasted.py makes them ordinary spaces where Markdown needs one.
SPACES = "".join(c for c in map(chr, range(0x10000)) if unicodedata.category(c) == "Zs" and c != " ")
SP = f"[ \\t{SPACES}]"  # one space, as a trainer sees it
# Characters that look like '>' but do not start a Markdown quote (fullwidth, small, angle quotes and brackets).
LOOKALIKE_GT = "\uff1e\ufe65\u203a\u276f\u27e9\u3009\u232a\u02c3\u1433"

# Anything a trainer may have meant as an answer option: a bullet or a number, then brackets holding
# nothing, a space, an x, or a tick-like mark ('- [ x ]', '-[x]', '* [X]', '1. [x]', '- [✓]').
# '- [Link text](url)' is a link, not an option: the brackets hold more than one mark.
OPTION_LIKE = re.compile(
    rf"^(?P<indent>{SP}*+)(?P<bullet>[-*+]|\d{{1,9}}[.)])(?P<gap>{SP}*+)\[(?P<inner>{SP}*+(?P<mark>[xX✓✔☑✗×vV*]?+){SP}*+)\](?!\()(?P<text>.*)$")
CANONICAL_OPTION = re.compile(r"^ {0,3}[-*+][ \t]+\[[ xX]\]")  # what JupyterLab shows as a tick box
RIGHT_MARKS, WRONG_MARKS = ("x", "X"), ("",)
# Feedback typed on the option line: a '>' (or a fullwidth one) after a space or at the start, with or
# without a space after it ('RIGHT > why', 'RIGHT >why', 'RIGHT\u00a0> why'). '\>' stays a plain '>'.
FEEDBACK_ON_LINE = re.compile(rf"(?:^|{SP})[>\uff1e\ufe65]")
QUESTION_WORDS = rf"(question|knowledge[ \t_{SPACES}-]*+check)"
ANY_QUESTION_HEADING = re.compile(rf"^{SP}{{0,3}}(#{{1,6}})({SP}*+){QUESTION_WORDS}\b(.*)$", re.IGNORECASE)
# A '>' quote marker at the start of a line, any depth, with or without a space: '> ', '>', '> > ', '>>'.
QUOTE_PREFIX = re.compile(rf"^(?:{SP}{{0,3}}+>)++")
LIST_ITEM = re.compile(rf"^{SP}{{0,3}}(?:[-*+]|\d{{1,9}}[.)]){SP}+\S")
INDENTED_QUOTE = re.compile(rf"^{SP}+>")
CALLOUT_QUOTE = re.compile(rf"^{SP}*+>{SP}*+\*\*[^*]+\*\*")
PAGE_HEADING_LINE = re.compile(rf"^{SP}{{0,3}}#{SP}+\S")
SUB_HEADING = re.compile(rf"^{SP}{{0,3}}#{{2,6}}{SP}+(.*)$")  # the text is stripped of closing '#'s in code: a lazy '(.*?)[ #]*$' is quadratic
NO_SPACE_HEADING = re.compile(r"^[ \t]{0,3}(#{1,6})([^\s#\\].*)$")
SETEXT_PAGE_UNDERLINE = re.compile(r"^[ \t]{0,3}=+[ \t]*$")
# One pair of single braces (not a '{{placeholder}}'), or an opening brace never closed.
BRACES = re.compile(r"(?<!\{)\{(?!\{)([^{}]*+)(\}(?!\})|$)")
LANG_ATTRIBUTE = re.compile(r"^[ \t]*lang[ \t]*=[ \t]*([A-Za-z0-9-]*)[ \t]*$")
NOT_A_PARAGRAPH = ("#", ">", "-", "*", "+", "|", "=")
SPLIT_FIX = "(click at the start of line {line} and press Ctrl+Shift+- in JupyterLab)"
SHOWN = "so learners would see it as lesson text, with the right answers ticked and the feedback showing"
# Fences as CommonMark reads them (https://spec.commonmark.org/0.31.2/#fenced-code-blocks): at most three
# columns of indent (a tab counts to the next multiple of 4), three or more '`' or '~'; a '`' fence's info
# string holds no '`'. A closing fence is the same character, at least as long, with nothing after it.
FENCE_RUN = re.compile(r"(`{3,}+|~{3,}+)(.*)")
CLOSING_FENCE = re.compile(r"(`{3,}+|~{3,}+)[ \t]*+")
# The parser the lesson renderer uses (authoring/render.py): asked where code really is, so a line that
# only looks fenced to the rules above is still checked.
_CODE_PARSER = mistune.create_markdown(renderer=None, plugins=["strikethrough", "table", "url", "math"])


@dataclass
class CellShape:
    """What the structure rules found in one lesson cell, and whether the cell should be left out."""

    problems: list[Finding] = field(default_factory=list)
    is_broken_question: bool = False  # a question whose heading is wrong: not a page, not lesson text


def _fence(line: str) -> tuple[str, int, str] | None:
    """(character, length, what follows) when the line starts like a fence: at most 3 columns of indent, tabs expanded."""
    text = line.lstrip(" \t")
    if len(line[:len(line) - len(text)].expandtabs(4)) > 3:
        return None
    match = FENCE_RUN.match(text)
    return (match.group(1)[0], len(match.group(1)), match.group(2)) if match else None


def code_lines(lines: list[str]) -> set[int]:
    """The indexes of the lines that Markdown shows as fenced code, fences included: left as written, not checked.

    A line counts as code only if the fence rules say so and the renderer's parser put that same line
    in a code block: '```a`b' (not a fence) or a tab before '```' (indented code of one line) hide nothing.
    """
    inside: set[int] = set()
    content: list[int] = []
    fence: tuple[str, int] | None = None
    for index, line in enumerate(lines):
        found = _fence(line)
        if fence:
            inside.add(index)
            if found and found[0] == fence[0] and found[1] >= fence[1] and not found[2].strip(" \t"):
                fence = None
            else:
                content.append(index)
        elif found and not (found[0] == "`" and "`" in found[2]):
            inside.add(index)
            fence = found[:2]
    if not content:
        return inside
    shown_as_code = Counter(raw.strip() for raw in _code_block_lines(_CODE_PARSER("\n".join(lines))))
    for index in content:
        text = lines[index].strip()
        if not text:
            continue
        if shown_as_code[text]:
            shown_as_code[text] -= 1
        else:
            inside.discard(index)  # the renderer shows it as text: check it
    return inside


def _code_block_lines(tokens: list[dict]) -> list[str]:
    found, stack = [], list(tokens)
    while stack:
        token = stack.pop()
        if token.get("type") == "block_code":
            found.extend(token.get("raw", "").splitlines())
        stack.extend(token.get("children") or [])
    return found


def lines_outside_code(source: str) -> list[tuple[int, str]]:
    """(line number in the cell, line) for every line Markdown does not show as fenced code: code is shown as written."""
    lines = source.splitlines()
    code = code_lines(lines)
    return [(index + 1, line) for index, line in enumerate(lines) if index not in code]


def unquoted(line: str) -> str:
    """The line without its '>' quote markers, however deep."""
    match = QUOTE_PREFIX.match(line)
    return line[match.end():] if match else line


def quoted_answer(line: str) -> str:
    """What a line inside a '>' quote is written as, when it is part of a question: '' for ordinary quoted text."""
    if not QUOTE_PREFIX.match(line):
        return ""
    rest = unquoted(line)
    return "a question heading" if ANY_QUESTION_HEADING.match(rest) else "an answer option" if _is_option_like(rest) else ""


def quoted_answer_problem(number: int, what: str) -> Finding:
    return (f"line {number} is {what} inside a quote (the line starts with '>'), {SHOWN}",
            "a question cannot be inside a quote: take the '>' off the start of its lines and put the question in a cell of "
            "its own, starting with '### Knowledge check' or '### Question'; if it is a quoted list, take the brackets out")


def check_lesson_cell(source: str) -> CellShape:
    """Every structure problem in a Markdown cell that is not a question or outcome cell."""
    lines = lines_outside_code(source)
    shape = CellShape()
    quoted = next(((n, what) for n, line in lines if (what := quoted_answer(line))), None)
    if quoted:
        shape.problems.append(quoted_answer_problem(*quoted))
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
    visible = SHOWN
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
        elif (sub := SUB_HEADING.match(line)) and BRACES.search(sub.group(1).rstrip(f" \t#{SPACES}")):
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
    holds = ("a question" if any(ANY_QUESTION_HEADING.match(line) or _is_option_like(line) or quoted_answer(line) for line in lines)
             else "a page heading" if any(PAGE_HEADING_LINE.match(line) for line in lines) else "")
    if not holds:
        return None
    return (f"this Raw cell holds {holds}, but Raw cells after the first are left out, so learners will not see it",
            "if learners should see it, change the cell to Markdown (press Esc, then M, in JupyterLab)")
