"""A GIFT file cut into questions: its bytes read as UTF-8 (or why not, and where), its comments and
$CATEGORY lines noted, and each question's { answers } found, or the brace mistake reported at its line."""

from __future__ import annotations

import re
from dataclasses import dataclass

from authoring.gift import CATEGORY, MODULE_COMMENT
from authoring.gift_answers import LineReporter, find
from authoring.questions import HEADING

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # invisible characters no question means to hold
UTF8_FIX = ("save the file as UTF-8 and import it again: Moodle's own GIFT export is UTF-8 already; in Windows Notepad "
            "choose File, Save as..., then Encoding: UTF-8")


@dataclass
class Block:
    """One question's lines as the file holds them."""

    line: int  # the line it starts on
    text: str
    hint: str  # the '// ###' heading comment our export writes above it, or ''
    category: str  # the $CATEGORY path it is filed under, as written


def decode(data: bytes) -> tuple[str | None, str]:
    """The file's text, or None and where it stops being UTF-8 (the line, and the byte on it)."""
    try:
        return data.decode("utf-8"), ""
    except UnicodeDecodeError as error:
        before = data[:error.start]
        line, column = before.count(b"\n") + 1, error.start - before.rfind(b"\n")
        kind = "UTF-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "Windows-1252 or another encoding"
        return None, f"line {line}, byte {column}; it looks like {kind}"


def module_title(text: str) -> str:
    """The title in a '// Module: <title>' comment among the comments that open the file, or ''."""
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped.startswith("//") and stripped[2:].strip().startswith(MODULE_COMMENT):
            return " ".join(stripped[2:].strip()[len(MODULE_COMMENT):].split())
        if stripped and not stripped.startswith("//"):
            break
    return ""


def blocks(text: str) -> list[Block]:
    """Every question in the file, split at blank lines, with the comment and category that apply to it."""
    found, lines, start, hint, category = [], [], 0, "", ""
    for number, raw in enumerate(text.split("\n") + [""], start=1):
        stripped = raw.strip()
        if not stripped:
            if lines:
                found.append(Block(start, "\n".join(lines), hint, category))
            lines, hint = [], ""
        elif stripped.startswith("//"):
            comment = stripped[2:].strip()
            hint = comment if HEADING.match(comment) else hint
        elif stripped.startswith(CATEGORY) and not lines:
            category = stripped[len(CATEGORY):]
        else:
            start = start if lines else number
            lines.append(raw)
    return found


def control_characters(block: Block, report: LineReporter) -> bool:
    """Whether the question holds an invisible control character (reported at its line): it would reach the learner's page."""
    for number, line in enumerate(block.text.split("\n"), start=block.line):
        if match := CONTROL.search(line):
            report.error(number, f"this line holds an invisible control character (U+{ord(match.group()):04X})",
                         "delete it (it often comes from copying out of another program): retype the words around it")
            return True
    return False


def braces(line: int, block: str, report: LineReporter) -> tuple[int, int] | None:
    """Where the answers open and close; None (reported) when the braces do not pair up."""
    opening = find(block, "{")
    closing = find(block, "}", opening + 1) if opening >= 0 else find(block, "}")
    second = find(block, "{", opening + 1) if opening >= 0 else -1
    if opening < 0 and closing < 0:
        report.error(line, "this text has no answers in { } (a GIFT description)", "put text that is not a question in a Markdown cell of the notebook")
    elif opening < 0:
        report.error(line, "this question has a } with no { before it", "start its answers with {, or write \\} for a } that is part of the text")
    elif 0 <= second < closing and not re.search(r"^\s*::", block[opening:second], re.MULTILINE):
        report.error(line, "there is a second { inside this question's answers",
                     "write \\{ for a { that is part of an answer or feedback, or end the first answers with } first")
    elif closing < 0 or 0 <= second < closing:
        report.error(line, "the { that starts this question's answers has no closing }",
                     "end the answers with }, and leave a blank line between questions but none inside one")
    elif after := block[closing + 1:].strip():
        report.error(line, *_after_answers(after))
    else:
        return opening, closing
    return None


def _after_answers(after: str) -> tuple[str, str]:
    """What text after a question's closing } means, with the fix."""
    if after == "\\":
        return "there is a \\ after the answers' closing }", "delete it: a \\ is for writing a GIFT character such as \\} as words"
    if not after.strip("}"):
        return "this question has a } with no { before it, after its answers", "delete the extra }, or write \\} for a } that is part of an answer"
    if find(after, "{") >= 0:
        return ("this question has two sets of { answers }: a { in its text starts answers",
                "write \\{ and \\} for braces that are part of the words; a question's one set of answers comes at its end")
    if find(after, "}") >= 0:
        return ("the answers end at the first }, so the text after it, with another }, is outside them",
                "write \\} for a } that is part of an answer or feedback")
    return ("answers in the middle of the text (a missing-word question) are not supported",
            "rewrite it with the answers after the question text, e.g. 'Which word fits the gap? {=right ~wrong}'")
