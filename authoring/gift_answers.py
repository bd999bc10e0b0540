"""Reading the answers of one GIFT question, '{...}', into options our format can hold, or reporting why not.

Multiple choice (one right answer, or equal shares for "choose all that apply") and true/false are
read; every other kind GIFT has (numeric, matching, short answer, essay), partial credit and general
feedback are reported with the question's line and a fix. Each answer and feedback may carry its own
format tag, else takes the question's (see authoring.gift_text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from authoring.gift import unescape
from authoring.gift_text import DEFAULT_FORMAT, split_format, to_markdown, unknown_format
from authoring.kinds import KINDS, QuestionKind
from authoring.problems import Problem, Severity

TRUE_FALSE = re.compile(r"^(T|F|TRUE|FALSE)$", re.IGNORECASE)
WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
ENTITY_NUMBER = re.compile(r"(?<!\\)&#([0-9]+|[xX][0-9a-fA-F]+);")  # its '#' splits answer from feedback, as in Moodle


def plain_kind(gift: str, multiple_answers: bool) -> QuestionKind:
    """The kind without a case study that a GIFT question of this shape comes back as."""
    return next(k for k in KINDS.values() if k.gift == gift and k.multiple_answers == multiple_answers and not k.case_study)


@dataclass
class GiftQuestion:
    """One question read from GIFT, as our format will write it."""

    line: int
    name: str
    text: str
    scored: bool = True
    kind_words: str = ""
    outcome: str = ""  # the last part of the $CATEGORY it was filed under; scored questions only
    category: str = ""  # the $CATEGORY path it was filed under, as the file wrote it
    options: list[tuple[str, bool, str]] = field(default_factory=list)  # text, correct, feedback (Markdown)
    format: str = DEFAULT_FORMAT  # the question text's GIFT format: the default for its answers and feedback


class LineReporter:
    """Problems located by line, printed 'file:line N: what — how to fix'."""

    def __init__(self, path: str, problems: list[Problem]) -> None:
        self.path, self.problems = path, problems

    def error(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(f"{self.path}:line {line}", None, message, fix))

    def warning(self, line: int, message: str, fix: str) -> None:
        self.problems.append(Problem(f"{self.path}:line {line}", None, message, fix, Severity.WARNING))


def find(text: str, targets: str, start: int = 0) -> int:
    """The index of the first unescaped character among `targets`, or -1."""
    index = start
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] in targets:
            return index
        index += 1
    return -1


def read_answers(question: GiftQuestion, answers: str, report: LineReporter) -> bool:
    """Fill the question's options from the text between its braces; False (with the problem reported) if they cannot be held."""
    line, body = question.line, answers.strip()
    unsupported = _unsupported(body)
    if unsupported:
        report.error(line, *unsupported)
        return False
    before = len(report.problems)
    read = (_true_false if TRUE_FALSE.match(_split_feedback(body)[0].strip()) else _choices)(question, body, report)
    return read and len(report.problems) == before  # text that could not be converted was reported


def _unsupported(body: str) -> tuple[str, str] | None:
    """Why our format cannot hold these answers (the kind of GIFT question, mostly), with the fix, or None."""
    if not body:
        return "essay questions are not supported", "give the question options: {=right answer ~wrong answer}"
    if body.startswith("#"):
        return "numeric questions are not supported", "turn it into a choice: {=the right number ~a wrong number ~another wrong number}"
    if entity := ENTITY_NUMBER.search(body):
        return (f"an unescaped # inside an HTML entity ('{entity.group()}') would split an answer from its feedback, as in Moodle",
                f"write &\\#{entity.group(1)}; for it (or type the character itself)")
    if "<!--" in body:
        return "the answers hold an HTML comment (<!-- -->)", "take the comment out of the answers (learners never see it): its '->' is how GIFT writes a matching question"
    if re.search(r"(?<!\\)->", body):
        return "matching questions are not supported", "write one multiple-choice question for each pair"
    options = _split_options(body)
    if options and all(o.startswith("=") for o in options):
        return "short answer questions are not supported", "turn it into a choice: keep the answer as '=right' and add wrong options as '~wrong'"
    return None


def _split_options(body: str) -> list[str]:
    """'=a#fb ~b' -> ['=a#fb', '~b'], splitting at unescaped = and ~."""
    options, index, current = [], 0, ""
    while index < len(body):
        ch = body[index]
        if ch == "\\" and index + 1 < len(body):
            current += body[index:index + 2]
            index += 2
            continue
        if ch in "=~":
            options.append(current)
            current = ch
        else:
            current += ch
        index += 1
    options.append(current)
    return [o.strip() for o in options if o.strip()]


def _split_feedback(option: str) -> tuple[str, str]:
    """'text#feedback' -> (text, feedback), at the first unescaped '#'."""
    mark = find(option, "#")
    return (option, "") if mark < 0 else (option[:mark], option[mark + 1:])


def _markdown(question: GiftQuestion, raw: str, part: str, report: LineReporter) -> str:
    """An answer or feedback as one line of Markdown, in its own format or the question's; what cannot be converted is reported."""
    if unknown := unknown_format(raw, any_name=False):
        report.error(question.line, f"{part} starts with the text format [{unknown}], which is not one GIFT knows, so learners would see it as typed",
                     "use [markdown], [html], [plain] or [moodle], in lower case with no spaces")
        return ""
    fmt, text = split_format(raw, question.format)
    converted = to_markdown(unescape(text), fmt, part, one_line=True)
    for problem in converted.problems:
        report.error(question.line, problem.message, problem.fix)
    return converted.markdown


def _true_false(question: GiftQuestion, body: str, report: LineReporter) -> bool:
    answer, rest = _split_feedback(body)
    wrong_feedback, right_feedback = _split_feedback(rest)
    if find(right_feedback, "#") >= 0:
        report.error(question.line, "general feedback (####) is not supported", "move it into the feedback of the options")
        return False
    truth = answer.strip().upper() in ("T", "TRUE")
    right = _markdown(question, right_feedback, "the feedback for the right answer", report)
    wrong = _markdown(question, wrong_feedback, "the feedback for the wrong answer", report)
    kind = plain_kind("truefalse", multiple_answers=False)
    true_text, false_text = kind.fixed_options or ("True", "False")
    question.options = [(true_text, truth, right if truth else wrong), (false_text, not truth, wrong if truth else right)]
    question.kind_words = question.kind_words or kind.words
    return True


def _choices(question: GiftQuestion, body: str, report: LineReporter) -> bool:
    line = question.line
    if "####" in body.replace("\\#", ""):
        report.error(line, "general feedback (####) is not supported", "move it into the feedback of the options")
        return False
    options = _split_options(body)
    if not options or any(o[0] not in "=~" for o in options):
        report.error(line, "the answers cannot be read", "start every option with = (right) or ~ (wrong)")
        return False
    weights: list[float | None] = []
    for number, option in enumerate(options, start=1):
        weight = WEIGHT.match(option[1:])
        text, feedback = _split_feedback(option[1 + (weight.end() if weight else 0):])
        if not text.strip():
            report.error(line, f"option {number} is empty: a '{option[0]}' with no answer after it",
                         "delete the extra ~ or =, or write \\~ or \\= if it is part of an answer's words")
            return False
        weights.append(float(weight.group(1)) if weight else None)
        question.options.append((_markdown(question, text, f"option {number}", report), option[0] == "=",
                                 _markdown(question, feedback, f"the feedback of option {number}", report)))
    return _apply_weights(question, [o[0] for o in options], weights, report)


def _apply_weights(question: GiftQuestion, marks: list[str], weights: list[float | None], report: LineReporter) -> bool:
    """Full marks (=) or none (~); or, for 'choose all that apply', equal shares of 100 for the right options."""
    line = question.line
    full = [m == "=" and w in (None, 100.0) for m, w in zip(marks, weights, strict=True)]
    shares = [w for m, w in zip(marks, weights, strict=True) if m == "~" and w is not None and w > 0]
    odd = [w for m, w in zip(marks, weights, strict=True) if m == "=" and w is not None and w != 100]
    if odd or (shares and (any(full) or len(set(shares)) > 1 or abs(sum(shares) - 100) > 0.01)):
        report.error(line, "weights other than full marks or none (partial credit) are not supported",
                     "mark each option right (=) or wrong (~); for 'choose all that apply' give each right option an equal share, e.g. ~%50%")
        return False
    if sum(full) > 1:
        report.error(line, "more than one option is marked fully right (=)",
                     "keep one '=' for a one-answer question; for 'choose all that apply' use equal shares, e.g. ~%50% on each right option; "
                     "if an = is part of an answer's words, write \\=")
        return False
    question.options = [(text, bool(f or (m == "~" and w is not None and w > 0)), feedback)
                        for (text, _c, feedback), m, w, f in zip(question.options, marks, weights, full, strict=True)]
    if len(question.options) > 1 and all(correct for _t, correct, _f in question.options):
        report.error(line, "every option is marked right, so a learner could not choose a wrong one",
                     "add a wrong option (~%-100%wrong answer), or mark the options that are wrong with ~%-100%")
        return False
    if not any(correct for _t, correct, _f in question.options):
        report.error(line, "no option is marked right", "mark the right option with = (or give each right option a share, e.g. ~%50%)")
        return False
    return True
