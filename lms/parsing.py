"""Numbers from a request: ASCII digits only, within the database's integer range.

`str.isdigit()` is true for "١٢" and "²", and `int()` reads "١٢" (and "+1", " 1", "1_0"), so a
check built on them lets other spellings of an id through, or a ValueError out as a 500. Every id
or whole number taken from a URL, a query string or a form is read here instead.
"""

from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import IntegerConverter

ASCII_DIGITS = re.compile(r"[0-9]{1,10}")
MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER: a larger id cannot exist, and asking for one would fail in the database


def parse_id(text: str | None, maximum: int = MAX_ID) -> int | None:
    """The whole number `text` spells in ASCII digits, or None if it spells anything else or is out of range."""
    if not isinstance(text, str) or not ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= maximum else None


class AsciiIntegerConverter(IntegerConverter):
    """Werkzeug's `<int:...>` with ASCII digits only and ids in range, so other spellings are 'not found'."""

    regex = r"[0-9]{1,10}"

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int | None = MAX_ID, signed: bool = False) -> None:  # noqa: A002
        super().__init__(map, fixed_digits, min, max, signed)
        if signed:
            self.regex = r"-?[0-9]{1,10}"


def init_app(app: Flask) -> None:
    """Install the converter before any blueprint adds its routes."""
    app.url_map.converters["int"] = AsciiIntegerConverter
