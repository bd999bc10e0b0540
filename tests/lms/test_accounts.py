"""Does signing in cost the same for every kind of account, so its timing says nothing about the address?"""

from __future__ import annotations

import hashlib

import pytest

from lms.services import personal_data
from lms.services.accounts import authenticate, unusable_password
from tests.builders import PASSWORD, make_user


@pytest.fixture
def scrypt_calls(monkeypatch) -> list[int]:
    """How many times a password hash was computed (Werkzeug checks every password with scrypt)."""
    calls, real_scrypt = [], hashlib.scrypt
    monkeypatch.setattr(hashlib, "scrypt", lambda *args, **kwargs: calls.append(1) or real_scrypt(*args, **kwargs))
    return calls


@pytest.mark.parametrize("kind", ["real, right password", "real, wrong password", "deactivated", "imported", "erased", "unknown"])
def test_does_every_sign_in_run_exactly_one_password_check(session, scrypt_calls, kind):
    user = make_user(session, email="amal@example.org")
    if kind == "deactivated":
        user.active = False
    if kind == "imported":
        user.password_hash = unusable_password()
    if kind == "erased":
        user.password_hash, user.active = personal_data.UNUSABLE_PASSWORD, False
    session.commit()
    scrypt_calls.clear()
    email = "nobody@example.org" if kind == "unknown" else "amal@example.org"
    password = "a wrong password" if kind == "real, wrong password" else PASSWORD
    found = authenticate(session, email, password)
    assert len(scrypt_calls) == 1, f"{kind}: {len(scrypt_calls)} password checks"
    assert (found is not None) == (kind == "real, right password")


def test_can_no_password_open_an_account_whose_password_is_unusable(session):
    user = make_user(session, email="amal@example.org")
    user.password_hash = unusable_password()
    session.commit()
    assert authenticate(session, "amal@example.org", user.password_hash) is None
    assert authenticate(session, "amal@example.org", "not a real password") is None, "the stand-in hash's password opens nothing"
