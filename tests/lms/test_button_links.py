"""A link drawn as a button must behave as one: screen readers hear "button" (role) and GOV.UK Frontend's
button component makes it answer the Space key (data-module), as a real button does."""

from __future__ import annotations

import re

from tests.conftest import ROOT

BUTTON_LINK = re.compile(r"<a\b[^>]*class=\"[^\"]*\bgovuk-button\b[^>]*>", re.DOTALL)


def test_does_every_link_styled_as_a_button_say_it_is_one_and_answer_space():
    wrong = [f"{path.relative_to(ROOT)}: {tag[:90]}" for path in sorted((ROOT / "lms").rglob("*.html"))
             for tag in BUTTON_LINK.findall(path.read_text())
             if 'role="button"' not in tag or 'data-module="govuk-button"' not in tag]
    assert wrong == []
