"""Who may do what is decided in lms/permissions.py alone: templates and views ask it, and never compare
a person's role themselves, so a rule changed there changes every page that shows or hides something."""

from __future__ import annotations

import re

from tests.conftest import ROOT

LMS = ROOT / "lms"
# A role compared or tested: `current_user.role == ...`, `person.role.value in ...`, `== Role.ORG_ADMIN`, `in SESSION_ROLES`.
ROLE_TEST = re.compile(r"\.role(?:\.value)?\s*(?:==|!=|not in\b|in\b)|(?:==|!=)\s*Role\.|\bin\s*\(?\s*(?:Role\.|[A-Z_]+_ROLES\b)")
VIEW_MODULES = [p for p in LMS.rglob("*.py") if p.name == "views.py" or p.name.endswith("_views.py")]


IMPORTS = re.compile(r"^(?:from|import) [^\n(]*(?:\([^)]*\))?", re.MULTILINE)


def _role_tests(path, root=ROOT) -> list[str]:
    """Lines that test a role; imports (of the names permissions.py exports) and route decorators do not."""
    text = IMPORTS.sub(lambda found: "\n" * found[0].count("\n"), path.read_text())
    return [f"{path.relative_to(root)}:{number}: {line.strip()}" for number, line in enumerate(text.splitlines(), 1)
            if ROLE_TEST.search(line) and "roles_required(" not in line]


def test_do_templates_ask_permissions_rather_than_test_roles():
    found = [hit for template in sorted(LMS.rglob("*.html")) for hit in _role_tests(template)]
    assert found == []


def test_do_views_ask_permissions_rather_than_test_roles():
    assert VIEW_MODULES, "the view modules moved: update VIEW_MODULES"
    found = [hit for module in sorted(VIEW_MODULES) for hit in _role_tests(module)]
    assert found == []


def test_does_the_check_notice_a_role_compared_in_a_template(tmp_path):
    template = tmp_path / "page.html"
    template.write_text("{% if current_user.role == 'site_admin' %}<a href='/admin'>Admin</a>{% endif %}\n"
                        "{% if permissions.sees_admin(current_user) %}<a href='/admin'>Admin</a>{% endif %}\n")
    assert _role_tests(template, tmp_path) == ["page.html:1: {% if current_user.role == 'site_admin' %}<a href='/admin'>Admin</a>{% endif %}"]
