"""The settings cell's YAML as text: where each setting is, and what is wrong with YAML that cannot be read.

Messages quote the line to edit, numbered as JupyterLab shows the cell (the opening '---' is line 1).
"""

from __future__ import annotations

import re

import yaml

from authoring.assessment import AssessmentSettings
from authoring.setting_names import KNOWN, TEXT, meant_setting
from authoring.vocabulary import error_line

CURLY = {"“": "”", "‘": "’", "„": "“", "”": "”", "«": "»"}


# LibYAML's safe loader reads the same YAML several times faster; PyYAML falls back to Python's.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def curly_wrapped(value: str) -> bool:
    return len(value) >= 2 and value[0] in CURLY and value[-1] in CURLY.values()


class SettingsSource:
    """Where each top-level setting is in the YAML text, and its value as written, for messages."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._nodes: dict[str, tuple[yaml.Node, yaml.Node]] | None = None
        self.repeated: list[tuple[str, int, int]] = []  # (name, first line, repeated line)

    @property
    def nodes(self) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if self._nodes is None:
            self._nodes = {}
            try:
                root = yaml.compose(self.text, Loader=SAFE_LOADER) if self.text else None  # noqa: S506 - nodes only
            except yaml.YAMLError:
                root = None
            for key, value in root.value if isinstance(root, yaml.MappingNode) else []:
                if key.value in self._nodes:
                    self.repeated.append((key.value, _cell_line(self._nodes[key.value][0].start_mark.line), _cell_line(key.start_mark.line)))
                self._nodes[key.value] = (key, value)
        return self._nodes

    def on_line(self, name: object) -> str:
        """' on line N' for a setting, or '' when the line is not known."""
        found = self.nodes.get(str(name))
        return f" on line {_cell_line(found[0].start_mark.line)}" if found else ""

    def on_item_line(self, name: str, number: int) -> str:
        """' on line N' for the number-th item (from 1) of a list setting, or ''."""
        found = self.nodes.get(name)
        items = found[1].value if found and isinstance(found[1], yaml.SequenceNode) else []
        return f" on line {_cell_line(items[number - 1].start_mark.line)}" if 0 < number <= len(items) else ""

    def on_item_key_line(self, name: str, number: int, key: str) -> str:
        """' on line N' for one key ('url') of the number-th item of a list setting, or ''."""
        found = self.nodes.get(name)
        items = found[1].value if found and isinstance(found[1], yaml.SequenceNode) else []
        item = items[number - 1] if 0 < number <= len(items) else None
        keys = [k for k, _value in item.value if k.value == key] if isinstance(item, yaml.MappingNode) else []
        return f" on line {_cell_line(keys[0].start_mark.line)}" if keys else ""

    def raw(self, name: object) -> str | None:
        """The value as the trainer typed it when it is on one line ('yes', '[80]'), else None."""
        found = self.nodes.get(str(name))
        if not found:
            return None
        start, end = found[1].start_mark.index, found[1].end_mark.index
        written = self.text[start:end].strip()
        return written if written and "\n" not in written else None


def _cell_line(yaml_line: int) -> int:
    """The cell's line number (1 is the opening '---') of a 0-based line of the YAML between the fences."""
    return yaml_line + 2


KEY_LINE = re.compile(r"^(?P<indent>[ \t]*)(?P<dash>-[ \t]+)?(?P<key>[A-Za-z_][A-Za-z0-9_ -]*?)[ \t]*:(?P<rest>.*)$")
ITEM_KEYS = {"title", "url", *AssessmentSettings.__dataclass_fields__}
NOT_PLAIN = tuple("\"'[{|>&*!#%@`")


def yaml_problems(text: str, exc: yaml.YAMLError) -> list[tuple[str, str]]:
    """(what is wrong, fix) for settings YAML cannot read, naming and quoting the line to edit."""
    lines = text.splitlines()
    found = [problem for number, line in _lines_outside_blocks(lines) for problem in _line_problems(number, line)]
    if found:
        return found
    index = error_line(exc)
    if index is None:
        return [("the settings are not valid YAML", "write one 'name: value' per line, as in docs/authoring.md")]
    index = min(index, len(lines) - 1)
    while index > 0 and not lines[index].strip():  # "end of stream" marks point past the last line
        index -= 1
    shown, context = lines[index].strip() if lines else "", str(getattr(exc, "context", "") or "")
    where = f"line {_cell_line(index)}, '{shown}',"
    if context.startswith("while scanning a quoted"):
        match = KEY_LINE.match(lines[index])
        quote = shown[shown.index(":") + 1:].strip()[:1] if ":" in shown else '"'
        inner = match.group("rest").strip()[1:] if match else ""
        example = f": {match.group('key')}: {quote}{inner}{quote}" if match and inner else ""
        return [(f"{where} opens a quote that is not closed", f"end the value with a matching {quote} on the same line{example}")]
    if context.startswith("while parsing a flow"):
        return [(f"{where} opens a '[' or '{{' that is not closed", "if the brackets are part of the text, put the whole value in double quotes")]
    if context.startswith("while scanning a simple key"):
        return [(f"{where} is not a 'name: value' line", "write it as 'name: value', with a colon and a space after the name")]
    unindented = _unindented_assessment_setting(lines, index)
    if unindented is not None:
        shown = lines[unindented].strip()
        return [(f"line {_cell_line(unindented)}, '{shown}', is not indented under 'assessment:'",
                 f"indent it by two spaces under 'assessment:', as '  {shown}', like the assessment settings after it")]
    return [(f"{where} is not laid out as the settings expect", _layout_fix(lines, index))]


def _unindented_assessment_setting(lines: list[str], index: int) -> int | None:
    """The line of an assessment setting left at the start of its line between 'assessment:' and the indented
    settings under it (YAML then stops at the next indented line, which is not the one to edit), or None."""
    if not lines[index][:1].isspace():
        return None
    above = [i for i in range(index) if lines[i].strip() and not lines[i].lstrip().startswith("#")]
    found = None
    for i in reversed(above):
        match = KEY_LINE.match(lines[i])
        if lines[i][:1].isspace() or not match:
            return found
        key, rest = match.group("key"), match.group("rest").split(" #")[0].strip()
        if key == "assessment" and not rest:
            return found
        if key not in AssessmentSettings.__dataclass_fields__ or not rest:
            return None
        found = i
    return None


def _lines_outside_blocks(lines: list[str]) -> list[tuple[int, str]]:
    """(cell line, text) of each line that is not inside a '>' or '|' block of text, where anything goes."""
    kept, block_indent = [], None
    for index, line in enumerate(lines):
        indent = len(line) - len(line.lstrip(" \t"))
        if block_indent is not None and (not line.strip() or indent > block_indent):
            continue
        block_indent = None
        match = KEY_LINE.match(line)
        if match and match.group("rest").strip()[:1] in ("|", ">"):
            block_indent = indent
        kept.append((_cell_line(index), line))
    return kept


def _line_problems(number: int, line: str) -> list[tuple[str, str]]:
    """The mistakes trainers make on one line: a tab indent, no space after the colon, a colon in a value."""
    shown, indent = line.strip(), line[:len(line) - len(line.lstrip(" \t"))]
    if "\t" in indent:
        return [(f"line {number} is indented with a tab", "use spaces: two for each level of indent, as in docs/authoring.md")]
    match = KEY_LINE.match(line)
    if not match or line.lstrip().startswith("#"):
        return []
    key, rest = match.group("key"), match.group("rest")
    if rest and rest[0] not in " \t" and (key in KNOWN or key in ITEM_KEYS or meant_setting(key)):
        return [(f"line {number}, '{shown}', has no space after the colon", f"write '{key}: {rest}'")]
    value, label = rest.strip(), TEXT.get(key, key.replace("_", " "))
    if not value or value.startswith(NOT_PLAIN) and value[0] not in "\"'":
        return []
    if value[0] in "\"'":
        return _after_quote(number, shown, key, label, value)
    if ": " not in value and not value.endswith(":"):
        return []
    if curly_wrapped(value):
        return [(f"line {number}, '{shown}', has a colon in the {label}, and curly quotes around it, which YAML does not read as quotes",
                 f'use straight double quotes: {key}: "{value[1:-1]}"')]
    kind, quoted = ("double", f'"{value}"') if '"' not in value else ("single", "'" + value.replace("'", "''") + "'")
    return [(f"line {number}, '{shown}', has a colon in the {label}, which YAML cannot read",
             f"put the {label} in {kind} quotes: {key}: {quoted}")]


def _after_quote(number: int, shown: str, key: str, label: str, value: str) -> list[tuple[str, str]]:
    """Text after a value's closing quote ('title: "Prevent" awareness'): YAML cannot read it."""
    quote = value[0]
    close = value.find(quote, 1)
    after = value[close + 1:].strip() if close > 0 else ""
    if not after or after.startswith("#"):
        return []
    kind, other = ("single", "'") if quote == '"' else ("double", '"')
    return [(f"line {number}, '{shown}', has more text after the closing quote",
             f"put the whole {label} in {kind} quotes: {key}: {other}{value}{other}")]


def _layout_fix(lines: list[str], index: int) -> str:
    """How to indent a line, judged by the setting it belongs under."""
    settings_above = (KEY_LINE.match(line) for line in reversed(lines[:index]) if not line[:1].isspace() and not line.startswith("-"))
    above = next((match for match in settings_above if match), None)
    inside = lines[index][:1].isspace() or lines[index].startswith("-")
    section = above.group("key") if above and inside else ""
    if section == "guidance":
        return "line it up with the sources above: each source starts '  - title: ...' and its '    url: ...' lines up under 'title'"
    if section == "assessment":
        return "indent each assessment setting by two spaces under 'assessment:'"
    return "start each setting at the beginning of its line, as 'name: value'; indent only the lines under 'guidance:' and 'assessment:'"
