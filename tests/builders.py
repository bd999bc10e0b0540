"""Builders for the things tests need: notebooks as trainers write them, organisations, people."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from pathlib import Path

import nbformat
import yaml
from nbformat.v4 import new_markdown_cell, new_notebook, new_raw_cell
from sqlalchemy import select

from lms.models import (
    Assignment,
    Channel,
    Completion,
    Department,
    EmailDomain,
    JoinCode,
    Module,
    Organisation,
    OrganisationType,
    Partnership,
    Role,
    TrainingSession,
    User,
)
from lms.services.accounts import create_user
from lms.services.completions import new_verification_code
from lms.services.localities import locality_of
from lms.services.periods import fy_quarter

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
  > They know the local routes.
- [ ] Nobody
  > Concerns must be shared.
"""

MULTI_QUESTION = """### Question (multiple answers) {#routes}

Which of these are ways to report hate crime?

- [x] Call 999 in an emergency
  > 999 is for emergencies.
- [x] Report online
  > The police take reports online.
- [ ] Post about it on social media
  > That is not a report.
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


def make_user(session, organisation: Organisation | None = None, role: Role = Role.LEARNER, email: str | None = None,
              confirmed: bool = True) -> User:
    """A person with the builders' PASSWORD; confirmed, as people an admin vouches for are, unless asked otherwise."""
    organisation = organisation or make_organisation(session)
    return create_user(session, email or f"person{next(_counter)}@example.org", "Test Person", PASSWORD, organisation, role,
                       confirmed=confirmed)


def make_join_code(session, organisation: Organisation, code: str = "JOIN-TEST-1", department: Department | None = None,
                   expires_at: dt.datetime | None = None, revoked_at: dt.datetime | None = None) -> JoinCode:
    """A join code as an organisation admin would issue it."""
    join_code = JoinCode(organisation_id=organisation.id, department_id=department.id if department else None, code=code,
                         expires_at=expires_at, revoked_at=revoked_at)
    session.add(join_code)
    session.flush()
    return join_code


def make_email_domain(session, organisation: Organisation, domain: str, status: str = "approved") -> EmailDomain:
    """A claimed email domain, approved by a site admin unless `status` says otherwise."""
    claimed = EmailDomain(organisation_id=organisation.id, domain=domain, status=status)
    session.add(claimed)
    session.flush()
    return claimed


def make_department(session, organisation: Organisation, name: str = "Housing") -> Department:
    department = Department(organisation_id=organisation.id, name=name)
    session.add(department)
    session.flush()
    return department


def make_assignment(session, module: Module, organisation: Organisation, department: Department | None = None,
                    due_on: dt.date | None = None, mandatory: bool = True) -> Assignment:
    assignment = Assignment(module_id=module.id, organisation_id=organisation.id,
                            department_id=department.id if department else None, due_on=due_on, mandatory=mandatory)
    session.add(assignment)
    session.flush()
    return assignment


def make_training_session(session, module: Module, organisation: Organisation, delivered_on: dt.date) -> TrainingSession:
    """A delivered face-to-face session of a module, with one attendee from the organisation."""
    training = TrainingSession(module_id=module.id, delivered_on=delivered_on, fy_quarter=fy_quarter(delivered_on),
                               venue="Town hall", delivering_organisation_id=organisation.id, attendee_count=1)
    session.add(training)
    session.flush()
    return training


def make_completion(session, user: User, module: Module, completed_at: dt.datetime, sequence: int = 1) -> Completion:
    """An e-learning completion earned at a given moment, with a verification code."""
    completion = Completion(user_id=user.id, organisation_id=user.organisation_id, partnership_id=locality_of(user), module_id=module.id,
                            version_id=module.current_version_id, channel=Channel.ELEARNING, sequence=sequence, score=100,
                            completed_at=completed_at, fy_quarter=fy_quarter(completed_at),
                            verification_code=new_verification_code())
    session.add(completion)
    session.flush()
    return completion


def publish_module(session, source: Path, out: Path, slug: str = "tiny-module") -> Module:
    """Build a module's notebook folder and publish it, as a trainer's release would."""
    from authoring import build
    from lms.services.publishing import publish

    report = build([source], out)
    assert report.built and not report.failed, report.problems
    publish(session, out)
    return session.scalar(select(Module).where(Module.slug == slug))


class Outbox(list):
    """The emails the app sent during a test, kept instead of delivered."""

    def to(self, email: str) -> list:
        return [message for message in self if message.to == email]

    def link(self, path: str, email: str | None = None) -> str:
        """The path (from `path` on) of the link in the newest email that has one, to `email` if given."""
        for message in reversed(self.to(email) if email else self):
            found = re.search(re.escape(path) + r"\S+", message.body)
            if found:
                return found.group(0)
        raise AssertionError(f"no email with a {path} link among {[(m.to, m.subject) for m in self]}")


def capture_mail(monkeypatch) -> Outbox:
    """Keep every email lms.mail would send, on any backend, in the returned Outbox."""
    outbox = Outbox()

    def keep(message, settings=None) -> bool:
        outbox.append(message)
        return True

    monkeypatch.setattr("lms.mail.send", keep)
    return outbox


def answer_form(session, attempt, right: bool = True) -> dict[str, list[str]]:
    """The form a learner sends for `attempt`, every answer right (or every answer wrong), in its own identifiers."""
    from sqlalchemy.orm import undefer

    from lms.models import ModuleVersion
    from lms.services.assessment_draw import asked_questions

    version = session.get(ModuleVersion, attempt.version_id, options=[undefer(ModuleVersion.answer_key)])
    form = {}
    for item in asked_questions(version, attempt):
        correct = set(version.answer_key[item.question["id"]]["correct"])
        wrong = [o["id"] for o in item.question["options"] if o["id"] not in correct][:1]
        form[item.field] = item.shown_ids(sorted(correct) if right else wrong)
    return form


def read_module(session, user, version) -> None:
    """The learner opens every lesson page, as the retry rules ask after a failed attempt."""
    from lms.services import attempt_policy

    for number in range(1, version.lesson_page_count + 1):
        attempt_policy.note_page_read(session, user, version, number)


def take_assessment(session, user, version, right: bool = True, read_pages: bool = True):
    """Start an attempt (having read the pages again, with `read_pages`) and submit it with every answer
    right (or wrong); returns the Submission."""
    from lms.services import completions

    if read_pages:
        read_module(session, user, version)
    attempt = completions.start_attempt(session, user, version)
    return completions.submit_attempt(session, attempt.id, user, answer_form(session, attempt, right))


def pooled_question(outcome: int, number: int) -> str:
    """A one-answer scored question whose right option's label names it, e.g. 'Right 2.3'."""
    return (f"### Question {{#q-{outcome}-{number}}}\n\nQuestion {outcome}.{number}: which is right?\n\n"
            f"- [x] Right {outcome}.{number}\n  > This is what the lesson teaches about {outcome}.{number}.\n"
            f"- [ ] Wrong {outcome}.{number}\n  > Look again at page {outcome}.\n"
            f"- [ ] Other {outcome}.{number}\n  > Look again at page {outcome}.\n")


def write_pooled_notebook(path: Path, outcomes: int = 2, per_outcome: int = 3, **assessment: object) -> Path:
    """A module with `outcomes` lesson pages and an assessment pool of `per_outcome` questions per outcome."""
    cells = [f"# Page {n}\n\nWhat outcome {n} teaches." for n in range(1, outcomes + 1)]
    cells.append("# Assessment\n\nThere are {{question_count}} questions. You need {{pass_mark}}% to pass.")
    for outcome in range(1, outcomes + 1):
        cells.append(f"## Outcome: Outcome {outcome}")
        cells.extend(pooled_question(outcome, number) for number in range(1, per_outcome + 1))
    return write_notebook(path, *cells, settings=settings_cell(id=path.stem, title="Pooled module", assessment=assessment or None))


def date_boxes(name: str, iso: str) -> dict[str, str]:
    """The three boxes of a GOV.UK date input as a person fills them in: "2025-11-20" -> day 20, month 11, year 2025."""
    year, month, day = iso.split("-")
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}
