"""Numbers and dates from a request: ASCII digits only, within the database's integer range.

`str.isdigit()` is true for "١٢" and "²", and `int()` reads "١٢" (and "+1", " 1", "1_0"), so a
check built on them lets other spellings of an id through, or a ValueError out as a 500. Every id
or whole number taken from a URL, a query string or a form is read here instead, and so is every
date a person types (three boxes, as the GOV.UK date input asks), so one rule gives one set of messages.
"""

from __future__ import annotations

import datetime as dt
import re

from flask import Flask
from werkzeug.routing import IntegerConverter
from wtforms import Field
from wtforms.utils import unset_value

from lms.services.periods import FIRST_DAY, LAST_DAY, govuk_date

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


# --- Dates entered as day, month and year (the GOV.UK date input) ---

DATE_PARTS = ("day", "month", "year")
DATE_HINT = "For example, 27 3 2026"
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
                "november", "december")
_SMALL_NUMBER = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


class DateInputError(ValueError):
    """A date that could not be read, with the GOV.UK message and the boxes (day, month, year) to mark in error."""

    def __init__(self, message: str, parts: tuple[str, ...] = DATE_PARTS) -> None:
        super().__init__(message)
        self.message = message
        self.parts = parts

    @property
    def first_part(self) -> str:
        """The first box in error, which the error summary links to."""
        return next(part for part in DATE_PARTS if part in self.parts)


def _month_number(text: str) -> int | None:
    """1-12 from "3", "03", "March" or "Mar", as GOV.UK asks date inputs to accept month names too."""
    if _SMALL_NUMBER.fullmatch(text):
        return int(text) if 1 <= int(text) <= 12 else None
    lowered = text.lower()
    return next((n for n, name in enumerate(_MONTH_NAMES, 1) if len(lowered) >= 3 and name.startswith(lowered)), None)


def parse_date(day: str | None, month: str | None, year: str | None, name: str, *, required: bool = True,
               empty_message: str | None = None) -> dt.date | None:
    """The date three boxes spell, None if all are empty and it is optional, else DateInputError naming the field.

    `name` starts each message ("Date delivered must include a month"); `empty_message` defaults to
    "Enter the date delivered". This is the one rule for reading a typed date, on every form and filter.
    """
    entered = {part: (value or "").strip() for part, value in zip(DATE_PARTS, (day, month, year), strict=True)}
    missing = tuple(part for part in DATE_PARTS if not entered[part])
    if len(missing) == 3:
        if required:
            raise DateInputError(empty_message or f"Enter the {name[:1].lower()}{name[1:]}")
        return None
    if missing:
        raise DateInputError(f"{name} must include a {' and '.join(missing)}", missing)
    month_number = _month_number(entered["month"])
    day_ok = bool(_SMALL_NUMBER.fullmatch(entered["day"])) and 1 <= int(entered["day"]) <= 31
    wrong = tuple(part for part, ok in (("day", day_ok), ("month", month_number)) if not ok)
    if wrong:
        raise DateInputError(f"{name} must be a real date", wrong)
    if not _YEAR.fullmatch(entered["year"]):
        raise DateInputError(f"{name} must have a year with 4 numbers, like 2026", ("year",))
    try:
        typed = dt.date(int(entered["year"]), month_number, int(entered["day"]))
    except ValueError:
        raise DateInputError(f"{name} must be a real date") from None
    if not FIRST_DAY <= typed <= LAST_DAY:  # the years reports cover; also keeps date arithmetic clear of year 9999
        raise DateInputError(f"{name} must be between {govuk_date(FIRST_DAY)} and {govuk_date(LAST_DAY)}", ("year",))
    return typed


def date_parts(value: dt.date | None) -> tuple[str, str, str]:
    """Day, month and year of a date as the boxes show them ("27", "3", "2026"), or three empty boxes."""
    if value is None:
        return ("", "", "")
    return (str(value.day), str(value.month), str(value.year))


class DateInputField(Field):
    """A WTForms field for the GOV.UK date input: reads name-day, name-month and name-year with `parse_date`.

    Say `required=True` rather than adding DataRequired (which would swap our message for its own), and
    add validators such as "must be in the future" as usual: their errors mark all three boxes.
    """

    error_parts: tuple[str, ...] = DATE_PARTS

    def __init__(self, label: str, name_in_errors: str | None = None, required: bool = False,
                 empty_message: str | None = None, **kwargs) -> None:
        kwargs.setdefault("description", DATE_HINT)
        super().__init__(label, **kwargs)
        self.name_in_errors = name_in_errors or label
        self.required = required
        self.empty_message = empty_message
        self.entered: tuple[str, str, str] | None = None

    def process(self, formdata, data=unset_value, extra_filters=None) -> None:  # noqa: ANN001 - WTForms' own signature
        """Take the date from the submitted boxes, or from `data`/the default when the form was not submitted."""
        super().process(None, data, extra_filters)
        if formdata is None:
            return
        self.entered = tuple(formdata.get(f"{self.name}-{part}", "") for part in DATE_PARTS)
        self.raw_data = [" ".join(self.entered).strip()]  # empty only when every box is, so Optional() behaves
        try:
            self.data = parse_date(*self.entered, self.name_in_errors, required=self.required, empty_message=self.empty_message)
        except DateInputError as error:
            self.data = None
            self.process_errors.append(error.message)
            self.error_parts = error.parts

    @property
    def values(self) -> tuple[str, str, str]:
        """What the three boxes show: what was typed, or the date being edited."""
        return self.entered if self.entered is not None else date_parts(self.data)

    @property
    def id(self) -> str:  # noqa: A003 - WTForms' name
        """The id of the first box in error (the day box if none is), so every error summary links to it."""
        return f"{self.base_id}-{DateInputError('', self.error_parts).first_part}"

    @id.setter
    def id(self, value: str) -> None:
        self.base_id = value
