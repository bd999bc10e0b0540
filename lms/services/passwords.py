"""The password policy, after NCSC guidance: long enough, not a common password, no composition rules."""

from __future__ import annotations

from functools import cache
from importlib import resources

MIN_LENGTH = 12
MAX_LENGTH = 256  # long enough for any passphrase or password manager, short enough to hash cheaply
HINT = f"Must be at least {MIN_LENGTH} characters. A few unrelated words together make a strong password that is easy to remember."


@cache
def common_passwords() -> frozenset[str]:
    """The deny-list shipped with the package, read once per process."""
    text = resources.files("lms.auth").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "") -> str | None:
    """What is wrong with a new password, in words for the person choosing it, or None if it is fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if password.strip().lower() in common_passwords():
        return "Password is too easy to guess because many people use it: choose a different one"
    if email and password.strip().lower() == email.strip().lower():
        return "Password must not be your email address"
    return None
