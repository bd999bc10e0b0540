"""Does the password policy follow NCSC guidance: length and a deny-list, with no composition rules?"""

from __future__ import annotations

import pytest

from lms.services.passwords import MAX_LENGTH, MIN_LENGTH, common_passwords, password_problem


def test_is_a_long_plain_passphrase_accepted_without_digits_or_symbols():
    assert password_problem("walrus kettle orchard plum") is None


@pytest.mark.parametrize("length, accepted", [(MIN_LENGTH - 1, False), (MIN_LENGTH, True), (MAX_LENGTH, True), (MAX_LENGTH + 1, False)])
def test_are_the_length_limits_exact(length, accepted):
    password = ("river-stone-" * 30)[:length]
    assert (password_problem(password) is None) is accepted


def test_does_the_message_name_the_minimum_length():
    assert password_problem("short") == "Password must be 12 characters or more"
    assert password_problem("x" * 300) == "Password must be 256 characters or fewer"


@pytest.mark.parametrize("common", ["password1234", "Qwerty123456", "1QAZ2WSX3EDC", "saferlearning123"])
def test_is_a_common_password_refused_whatever_its_case(common):
    assert password_problem(common) == "Password is too easy to guess because many people use it: choose a different one"


def test_is_the_shipped_deny_list_a_few_thousand_lowercase_entries_without_comments():
    passwords = common_passwords()
    assert 3000 <= len(passwords) <= 20000
    assert "123456" in passwords and "password" in passwords
    assert all(p == p.lower() and not p.startswith("#") for p in passwords)


def test_is_the_email_address_refused_as_a_password():
    assert password_problem("Sam.Jones@Council.example", "sam.jones@council.example") == "Password must not be your email address"
    assert password_problem("sam.jones@council.example rocks", "sam.jones@council.example") is None
