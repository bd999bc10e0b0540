"""Are UK financial quarters right at their edges, in GMT and in BST?"""

from __future__ import annotations

import datetime as dt

import pytest

from lms.services.periods import fy_quarter, parse_period, quarter_bounds, quarter_label


@pytest.mark.parametrize(
    ("moment", "quarter"),
    [
        (dt.date(2024, 3, 31), 20234), (dt.date(2024, 4, 1), 20241), (dt.date(2024, 6, 30), 20241),
        (dt.date(2024, 7, 1), 20242), (dt.date(2024, 12, 31), 20243), (dt.date(2025, 1, 1), 20244),
        # UTC timestamps placed by their UK date: BST began 01:00 UTC on 31 March 2024
        (dt.datetime(2024, 3, 31, 22, 59), 20234), (dt.datetime(2024, 3, 31, 23, 0), 20241),
        (dt.datetime(2023, 3, 31, 23, 30), 20231),  # 00:30 BST on 1 April 2023
        (dt.datetime(2024, 6, 30, 23, 30), 20242),  # 00:30 BST on 1 July
        (dt.datetime(2024, 12, 31, 23, 59), 20243),  # GMT: still 31 December
        (dt.datetime(2025, 9, 30, 23, 0), 20253),  # midnight BST, 1 October
    ],
)
def test_is_the_moment_in_the_right_quarter(moment, quarter):
    assert fy_quarter(moment) == quarter


def test_do_quarters_have_the_right_labels_and_days():
    assert quarter_label(20233) == "Q3 2023/24"
    assert quarter_bounds(20234) == (dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert quarter_bounds(20241) == (dt.date(2024, 4, 1), dt.date(2024, 6, 30))


def test_are_periods_read_from_text():
    assert (parse_period("2025-26-Q3").first_quarter, parse_period("2025-26-q3").label) == (20253, "Q3 2025/26")
    year = parse_period("2025-26")
    assert (year.first_quarter, year.last_quarter, year.bounds) == (20251, 20254, (dt.date(2025, 4, 1), dt.date(2026, 3, 31)))


@pytest.mark.parametrize("text", ["2025-27", "2025", "Q3", "2025-26-Q5", ""])
def test_is_a_bad_period_explained(text):
    with pytest.raises(ValueError, match="write a financial year like 2025-26 or a quarter like 2025-26-Q3"):
        parse_period(text)
