"""Is a date typed into day, month and year boxes read one way everywhere, with GOV.UK's messages?"""

from __future__ import annotations

import datetime as dt

import pytest

from lms.parsing import DateInputError, date_parts, parse_date


@pytest.mark.parametrize(("boxes", "expected"), [
    (("27", "3", "2026"), dt.date(2026, 3, 27)),
    (("07", "03", "2026"), dt.date(2026, 3, 7)),
    ((" 1 ", " 12 ", " 2025 "), dt.date(2025, 12, 1)),
    (("27", "March", "2026"), dt.date(2026, 3, 27)),
    (("27", "mar", "2026"), dt.date(2026, 3, 27)),
    (("29", "2", "2028"), dt.date(2028, 2, 29)),
])
def test_is_a_date_read_as_people_type_it(boxes, expected):
    assert parse_date(*boxes, "Date delivered") == expected


@pytest.mark.parametrize(("boxes", "message", "marked"), [
    (("", "", ""), "Enter the date delivered", ("day", "month", "year")),
    (("1", "", "2026"), "Date delivered must include a month", ("month",)),
    (("", "", "2026"), "Date delivered must include a day and month", ("day", "month")),
    (("", "3", ""), "Date delivered must include a day and year", ("day", "year")),
    (("x", "3", "2026"), "Date delivered must be a real date", ("day",)),
    (("32", "3", "2026"), "Date delivered must be a real date", ("day",)),
    (("1", "13", "2026"), "Date delivered must be a real date", ("month",)),
    (("1", "Ma", "2026"), "Date delivered must be a real date", ("month",)),  # too short to be a month's name
    (("١٢", "3", "2026"), "Date delivered must be a real date", ("day",)),  # other digits, as ids refuse them
    (("30", "2", "2026"), "Date delivered must be a real date", ("day", "month", "year")),
    (("29", "2", "2026"), "Date delivered must be a real date", ("day", "month", "year")),
    (("1", "3", "26"), "Date delivered must have a year with 4 numbers, like 2026", ("year",)),
    (("1", "3", "20266"), "Date delivered must have a year with 4 numbers, like 2026", ("year",)),
    (("1", "1", "0000"), "Date delivered must be a real date", ("day", "month", "year")),
])
def test_is_each_mistake_named_with_only_its_boxes_marked(boxes, message, marked):
    with pytest.raises(DateInputError) as refused:
        parse_date(*boxes, "Date delivered")
    assert refused.value.message == message and refused.value.parts == marked


def test_may_an_optional_date_be_left_empty_but_not_half_filled():
    assert parse_date("", " ", None, "Due date", required=False) is None
    with pytest.raises(DateInputError, match="Due date must include a day"):
        parse_date("", "3", "2026", "Due date", required=False)


def test_does_an_empty_required_date_say_what_to_enter():
    with pytest.raises(DateInputError, match="^Enter the date the session was delivered$"):
        parse_date("", "", "", "Date delivered", empty_message="Enter the date the session was delivered")


def test_are_a_dates_boxes_filled_in_for_editing():
    assert date_parts(dt.date(2026, 3, 7)) == ("7", "3", "2026") and date_parts(None) == ("", "", "")
