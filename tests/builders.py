"""Builders for the things tests need: notebooks as trainers write them, organisations, people."""

from __future__ import annotations

import itertools
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell

from lms.models import Organisation, OrganisationType, Partnership, Role, User
from lms.services.accounts import create_user

SETTINGS = {
    "id": "tiny-module",
    "title": "Tiny module",
    "audience": "Test learners",
    "priority_area": "hate-crime",
    "estimated_minutes": 5,
    "pass_mark": 80,
    "refresher_months": 24,
    "owner": "Test team",
    "review_by": "2099-01-01",
    "guidance": [{"title": "Hate crime guidance", "url": "https://www.gov.uk/report-hate-crime"}],
}
PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


def settings_cell(**changes: object) -> str:
    """A front-matter settings cell; a value of None leaves that setting out."""
    values = {k: v for k, v in {**SETTINGS, **changes}.items() if v is not None}
    return "---\n" + yaml.safe_dump(values, sort_keys=False) + "---"


def write_notebook(path: Path, *cells: str, settings: str | None = None, raw_first: bool = True) -> Path:
    """Write a notebook: a settings raw cell (unless settings is '') then Markdown cells."""
    notebook = new_notebook()
    if settings != "":
        notebook.cells.append(new_raw_cell(settings or settings_cell()) if raw_first else new_markdown_cell(settings or settings_cell()))
    notebook.cells.extend(new_markdown_cell(c) for c in cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


QUESTION = """### Question

Who should you tell first?

- [x] Your safeguarding lead
  > Right. They know the local routes.
- [ ] Nobody
  > No. Concerns must be shared.
"""

MULTI_QUESTION = """### Question (multiple answers) {#routes}

Which of these are ways to report hate crime?

- [x] Call 999 in an emergency
  > Right.
- [x] Report online
  > Right.
- [ ] Post about it on social media
  > No. That is not a report.
"""

KNOWLEDGE_CHECK = """### Knowledge check

Is a hate incident always a crime?

- [ ] Yes
  > No. Some hate incidents are not crimes.
- [x] No
  > Right. An incident can be recorded even when it is not a crime.
"""


def make_partnership(session, name: str = "Test Partnership", settings: dict | None = None) -> Partnership:
    partnership = Partnership(slug=f"partnership-{next(_counter)}", name=name, settings=settings or {})
    session.add(partnership)
    session.flush()
    return partnership


def make_organisation(session, partnership: Partnership | None = None, name: str | None = None,
                      type: OrganisationType = OrganisationType.LOCAL_AUTHORITY) -> Organisation:
    partnership = partnership or make_partnership(session)
    number = next(_counter)
    organisation = Organisation(slug=f"org-{number}", name=name or f"Organisation {number}", type=type, partnership_id=partnership.id)
    session.add(organisation)
    session.flush()
    return organisation


def make_user(session, organisation: Organisation | None = None, role: Role = Role.LEARNER, email: str | None = None) -> User:
    organisation = organisation or make_organisation(session)
    return create_user(session, email or f"person{next(_counter)}@example.org", "Test Person", PASSWORD, organisation, role)
