"""Text pasted from Word or a spreadsheet into a Markdown cell: made into what the trainer meant, or one clear error.

Made into what was meant, without a message (docs/authoring.md, "Pasting from Word or a spreadsheet"):
- rows separated by tabs (a spreadsheet or Word table) become a table, the first row its header;
- Word's list bullets ('•', 'o' and '§' before a tab, '–' starting two or more lines) become '- ' items;
- invisible characters (non-breaking and zero-width spaces) are taken out of placeholders, and made
  ordinary spaces where Markdown needs a space: after '#' in headings, after list and '>' markers, in '[ ]'.
One error per cell: Word's HTML (every tag would be another message), or tab rows whose columns differ
or that a line without tabs splits (a spreadsheet cell with a line break in it): no tab-separated line
is ever shown as a paragraph with its tabs in it. Fenced code is left as written.
Every pattern is linear in the cell (possessive or bounded where runs could meet), whatever was pasted.
"""

from __future__ import annotations

import html
import re

from authoring.problems import ProblemList
from authoring.structure import SPACES, code_lines

JUNK = "\u200b\u200c\u200d\u2060\ufeff\u00ad"  # zero-width characters and the soft hyphen: invisible
# SPACES (from authoring/structure.py, their one home): every Unicode space separator but ' ' (non-breaking,
# em, thin, ideographic...): they look like spaces, but Markdown does not take them as one.
WORD_HTML = re.compile(r'class="?Mso|</?o:p\b|\bmso-[a-z-]{1,60}+\s*+:|<!\[if\b|<!--\[if\b|</?w:[a-z]|xmlns:[ow]=|urn:schemas-microsoft-com'
                       r'|id="docs-internal-guid-', re.IGNORECASE)
STYLED_TAG = re.compile(r"<(?:span|p|font|div)\b[^<>]*?\bstyle\s*+=", re.IGNORECASE)  # a tag ends at the next '<': linear
WORD_MESSAGE = "this cell holds text pasted from Word with its formatting (HTML)"
WORD_FIX = ("paste it again as plain text: in JupyterLab use Ctrl+Shift+V, or paste into Notepad first, "
            "then re-apply headings and lists in Markdown")
PLACEHOLDER = re.compile(rf"\{{[{JUNK}{SPACES}]*\{{[^{{}}\n]{{0,100}}\}}[{JUNK}{SPACES}]*\}}")
LEADING = re.compile(rf"^[ \t{JUNK}{SPACES}]+")
HEADING = re.compile(r"^ {0,3}#{1,6}(?=[ \t" + JUNK + SPACES + "])")
MARKER = re.compile(rf"^( *)([-*+>])[ \t{JUNK}{SPACES}]*[{JUNK}{SPACES}][ \t{JUNK}{SPACES}]*")
OPTION_BOX = re.compile(rf"^( *[-*+] )\[[ {JUNK}{SPACES}]*+([xX]?+)[ {JUNK}{SPACES}]*+\][ \t{JUNK}{SPACES}]*+")
# Word's bullets by level: '•' (or '·', '●'), then 'o', then '§' or '▪'. 'o' and '§' only before a tab,
# so that a line starting 'o dear' or '§ 12 of the Act' is left alone.
BULLET = re.compile(r"^[ \t]*(?:([•·●∙])|([◦]|o(?=\t))|([▪■]|§(?=\t)))[ \t" + SPACES + r"]+(?=\S)")
EN_DASH = re.compile(r"^[ \t]*–(\t|[ " + SPACES + r"]+)(?=\S)")
NOT_A_ROW = re.compile(r"^[ \t]*(?:[-*+](?:[ \t]|$)|>|#{1,6}(?: |$)|\||\d{1,9}[.)](?:[ \t]|$))")
TABLE_FIX = ("give every row the same columns and paste it again (a spreadsheet cell with a line break inside splits its row: "
             "remove the line break), or write the table in Markdown, one '| heading | heading |' line per row")


def tidy_pasted(number: int, source: str, problems: ProblemList) -> str:
    """The cell's Markdown with pasted content handled; reports at most one problem of each kind per cell."""
    if "\t" not in source and not re.search(rf"[{JUNK}{SPACES}•·●∙◦▪■§–<]", source):
        return source  # nearly every cell: nothing pasted
    lines = source.split("\n")
    code = _fenced(lines)
    if _is_word_html([line for i, line in enumerate(lines) if i not in code]):
        problems.error(number, WORD_MESSAGE, WORD_FIX)
        lines = _plain_text(source).split("\n")  # the error stops the build; the rest of the check stays quiet
        code = _fenced(lines)
    lines = [line if i in code else _tidy_markers(line) for i, line in enumerate(lines)]
    lines = _bullets(lines, code)
    lines = _tables(number, lines, code, problems)
    return PLACEHOLDER.sub(lambda m: re.sub(f"[{JUNK}{SPACES}]", "", m.group(0)), "\n".join(lines))


def _fenced(lines: list[str]) -> set[int]:
    """The numbers of the lines inside fenced code, fences included: the same rule as the structure check's."""
    return code_lines(lines)


def _is_word_html(lines: list[str]) -> bool:
    text = "\n".join(lines)
    return bool(WORD_HTML.search(text)) or len(STYLED_TAG.findall(text)) >= 3


def _plain_text(source: str) -> str:
    """Word's HTML reduced to its words, so the renderer does not report each of its tags again."""
    text = _cut_comments(source)
    text = re.sub(r"<!\[(?:if[^\]<>]*+|endif)\]>", "", text, flags=re.IGNORECASE)  # keeps what is between: a list's bullet
    text = _cut_elements(text, ("style", "xml", "head", "script", "title"))
    text = re.sub(r"<br\b[^<>]*+>|</(?:p|div|h[1-6]|li|tr|table|ul|ol)\s*+>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^<>]*+>", " ", text)  # a '<' with no '>' costs only up to the next '<'
    text = html.unescape(text).replace("<", "&lt;")
    text = re.sub(rf"[ {SPACES}]+", " ", text)
    text = re.sub(r"^ | $", "", text, flags=re.MULTILINE)
    return re.sub(r"\n(?:[ \t]*\n)+", "\n\n", text).strip("\n")


def _cut_comments(text: str) -> str:
    """Word's '<!--[if ...]> ... <![endif]-->' blocks and '<!-- -->' comments taken out in one pass (a lazy '.*?' is quadratic)."""
    lower, out, position, no_endif = text.lower(), [], 0, False
    while (start := lower.find("<!--", position)) != -1:
        end = -1
        if lower.startswith("<!--[if", start) and not no_endif:
            end = lower.find("<![endif]-->", start)
            no_endif = end == -1  # not after this '<!--', so not after any later one
            end = end + len("<![endif]-->") if end != -1 else -1
        if end == -1:
            end = lower.find("-->", start + 4)
            if end == -1:
                break
            end += 3
        out.append(text[position:start])
        position = end
    out.append(text[position:])
    return "".join(out)


def _cut_elements(text: str, names: tuple[str, ...]) -> str:
    """Each '<style ...> ... </style>' (and the others named) taken out in one pass; a closing tag not found is looked for once."""
    opening = re.compile(rf"<({'|'.join(names)})\b", re.IGNORECASE)
    missing: set[str] = set()
    out, position = [], 0
    while (match := opening.search(text, position)) is not None:
        name = match.group(1).lower()
        close = None if name in missing else re.compile(rf"</{name}\s*+>", re.IGNORECASE).search(text, match.end())
        if close is None:
            missing.add(name)
            out.append(text[position:match.end()])
            position = match.end()
        else:
            out.append(text[position:match.start()])
            position = close.end()
    out.append(text[position:])
    return "".join(out)


def _tidy_markers(line: str) -> str:
    """Ordinary spaces where Markdown needs them: indentation, after a heading's '#', a list or '>' marker, in '[ ]'."""
    if not re.search(f"[{JUNK}{SPACES}]", line):
        return line
    line = LEADING.sub(lambda m: re.sub(f"[{JUNK}]", "", m.group(0)).translate({ord(c): " " for c in SPACES}), line)
    if HEADING.match(line):  # '### Knowledge\u00a0check' must still be a question heading
        return re.sub(f"[{JUNK}]", "", line).translate({ord(c): " " for c in SPACES})
    line = MARKER.sub(lambda m: f"{m.group(1)}{m.group(2)} ", line, count=1)
    return OPTION_BOX.sub(lambda m: f"{m.group(1)}[{m.group(2) or ' '}] ", line, count=1)


def _bullets(lines: list[str], code: set[int]) -> list[str]:
    """Word's bullets as Markdown list items; '–' only where it starts two lines in a row, or comes before a tab."""
    def dash_list(index: int) -> bool:
        return 0 <= index < len(lines) and index not in code and bool(EN_DASH.match(lines[index]) or BULLET.match(lines[index]))

    tidied = []
    for index, line in enumerate(lines):
        bullet = BULLET.match(line) if index not in code else None
        dash = EN_DASH.match(line) if index not in code else None
        if bullet:
            level = 0 if bullet.group(1) else 1 if bullet.group(2) else 2
            line = "  " * level + "- " + line[bullet.end():]
        elif dash and (dash.group(1) == "\t" or dash_list(index - 1) or dash_list(index + 1)):
            line = "- " + line[dash.end():]
        tidied.append(line)
    return tidied


def _tables(number: int, lines: list[str], code: set[int], problems: ProblemList) -> list[str]:
    """Runs of two or more tab-separated rows as Markdown tables; one error for the cell when their columns differ,
    or when a line without tabs splits them (a spreadsheet cell with a line break in it)."""
    split = _split_table(lines, code)
    if split:
        first, last, line = split
        problems.error(number, f"lines {first + 1} to {last + 1} of this cell look like a table pasted from a spreadsheet or Word "
                               f"(columns separated by tabs), but line {line + 1} has no tabs, so the table would stop there and "
                               "learners would see the rows after it as text with the tabs in it", TABLE_FIX)
        return lines  # the error stops the build: nothing is made into a table
    out: list[str] = []
    index, reported = 0, False
    while index < len(lines):
        end = index
        while end < len(lines) and _is_row(lines, end, code):
            end += 1
        rows = lines[index:end]
        if len(rows) < 2 or _continues_list(lines, index):
            out.extend(rows or [lines[index]])
            index = max(end, index + 1)
            continue
        counts = [row.count("\t") for row in rows]
        if len(set(counts)) == 1:
            out.extend(_pipe_table(rows, blank_before=bool(out and out[-1].strip()), blank_after=end < len(lines) and bool(lines[end].strip())))
        else:
            if not reported:
                odd = next(i for i, count in enumerate(counts) if count != counts[0])
                problems.error(number, f"lines {index + 1} to {end} of this cell look like a table pasted from a spreadsheet or Word "
                                       f"(columns separated by tabs), but line {index + odd + 1} has {counts[odd] + 1} columns "
                                       f"and line {index + 1} has {counts[0] + 1}", TABLE_FIX)
                reported = True
            out.extend(rows)
        index = end
    return out


def _split_table(lines: list[str], code: set[int]) -> tuple[int, int, int] | None:
    """(first row, last row, line without tabs) for the first paragraph whose tab rows a line without tabs splits."""
    start = 0
    for end in range(len(lines) + 1):
        if end < len(lines) and lines[end].strip() and end not in code:
            continue
        rows = [i for i in range(start, end) if _is_row(lines, i, code) and not _continues_list(lines, i)]
        if len(rows) >= 2:
            row_set = set(rows)
            gap = next((i for i in range(rows[0], rows[-1]) if i not in row_set), None)
            if gap is not None:
                return rows[0], rows[-1], gap
        start = end + 1
    return None


def _is_row(lines: list[str], index: int, code: set[int]) -> bool:
    line = lines[index]
    return "\t" in line and index not in code and not NOT_A_ROW.match(line) and not line.startswith("    ")


def _continues_list(lines: list[str], index: int) -> bool:
    """Indented rows under a list item (or other indented text) are part of it, not a table."""
    if not lines[index][:1].isspace():
        return False
    before = next((lines[i] for i in range(index - 1, -1, -1) if lines[i].strip()), "")  # no copy of the lines: linear
    return bool(before[:1].isspace() or re.match(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]", before))


def _pipe_table(rows: list[str], blank_before: bool, blank_after: bool) -> list[str]:
    cells = [[cell.strip().replace("|", "\\|") for cell in row.rstrip("\r").split("\t")] for row in rows]
    table = ["| " + " | ".join(row) + " |" for row in cells]
    table.insert(1, "| " + " | ".join("---" for _ in cells[0]) + " |")
    return [""] * blank_before + table + [""] * blank_after
