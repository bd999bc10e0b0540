"""Moodle GIFT question banks: the escaping both directions share, and exporting a module's questions.

Export opens with '// Module: <title>' and '// Module id: <id>' comments and writes each question with
its options and per-option feedback, preceded by a comment that holds our own question heading, so a
round trip keeps the module's title, the kind of question and whether it is scored.
Learning outcomes travel as GIFT categories ($CATEGORY: $course$/<module id>/<outcome>), which Moodle
files its questions under. Importing a bank is `authoring.gift_import`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from authoring.module import Module
    from authoring.questions import Question

SPECIAL = "\\~=#{}:"
CATEGORY = "$CATEGORY:"
MODULE_COMMENT = "Module:"  # '// Module: <title>' opens an export; import reads the title back from it
MODULE_ID_COMMENT = "Module id:"


def escape(text: str) -> str:
    """GIFT text: the characters with a meaning in GIFT get a backslash; new lines become \\n; '->' becomes '-\\>'.

    '->' is how GIFT writes a matching pair (Moodle and gift-pegjs read any answers holding it as matching);
    '-\\>' is not, and in [markdown], the format we export, it shows as '->'.
    """
    escaped = "".join("\\" + ch if ch in SPECIAL else "\\n" if ch == "\n" else ch for ch in text)
    return escaped.replace("->", "-\\>")


def unescape(text: str) -> str:
    """The reverse of `escape`; a backslash before any other character is kept as it is."""
    out, index = [], 0
    while index < len(text):
        ch, after = text[index], text[index + 1:index + 2]
        if ch == "\\" and (after in SPECIAL or after == "n" or (after == ">" and text[index - 1:index] == "-")) and after:
            out.append("\n" if after == "n" else after)
            index += 2
            continue
        out.append(ch)
        index += 1
    return "".join(out)


# --- export ---------------------------------------------------------------------------------------

def export_gift(module: Module) -> str:
    """Every question of a module as GIFT, in notebook order, with the feedback of every option."""
    parts = [f"// {MODULE_COMMENT} {' '.join(module.settings.title.split())}\n// {MODULE_ID_COMMENT} {module.settings.id}\n"
             "// Questions exported from Safer Learning. The comment lines keep the module's title and each question's kind\n"
             "// (the '// ###' line above it) for importing back; Moodle ignores them.\n"]
    outcome = ""
    for question in module.questions:
        if question.scored and question.outcome and question.outcome != outcome:
            outcome = question.outcome
            parts.append(f"{CATEGORY} $course$/{module.settings.id}/{outcome.replace('/', '//')}\n")
        parts.append(_gift_question(question))
    return "\n".join(parts)


def _heading(question: Question) -> str:
    words = question.kind.words
    return f"### {'Question' if question.scored else 'Knowledge check'}{f' ({words})' if words else ''} {{#{question.id}}}"


def _gift_question(question: Question) -> str:
    text = f"{question.case_study}\n\n{question.stem}" if question.case_study else question.stem
    lines = [f"// {_heading(question)}", f"::{escape(question.id)}::[markdown]{escape(text)} {{"]
    if question.kind.gift == "truefalse":
        right = next(o for o in question.options if o.correct)
        wrong = next(o for o in question.options if not o.correct)
        lines[-1] += f"{'TRUE' if right.text.lower() == 'true' else 'FALSE'}#{escape(wrong.feedback)}#{escape(right.feedback)}}}"
        return "\n".join(lines) + "\n"
    correct = [o for o in question.options if o.correct]
    share = f"{100 / len(correct):.5f}".rstrip("0").rstrip(".")
    for option in question.options:
        if question.kind.multiple_answers:
            mark = f"~%{share}%" if option.correct else "~%-100%"
        else:
            mark = "=" if option.correct else "~"
        feedback = f"#{escape(option.feedback)}" if option.feedback else ""
        lines.append(f"\t{mark}{escape(option.text)}{feedback}")
    return "\n".join(lines) + "\n}\n"
