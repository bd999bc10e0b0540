"""Bulk import of an organisation's people from CSV: every row checked first, then all or nothing.

Columns (header row, any order, any case): email, full_name (or name), department (optional).
Imported people are learners with an unusable password: each is emailed a link to set their own, which
also confirms their address. Importing the same file again changes nothing: people already in the
organisation are left as they are. An address someone registered themselves and never confirmed is taken
back for the person the organisation vouches for (see accounts.take_over).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms import account_mail, mail
from lms.db import write_transaction
from lms.models import Department, Organisation, Role, User, utcnow
from lms.services.accounts import awaiting_confirmation, normalise_email, take_over, unusable_password
from lms.services.audit import record_event
from lms.services.confirmation import MAX_AGE_SECONDS as CONFIRMATION_SECONDS
from lms.services.notices.messages import ImportCounts
from lms.services.notices.planning import plan_import_finished

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
HEADER_NAMES = {"email": "email", "email address": "email", "full_name": "full_name", "full name": "full_name",
                "name": "full_name", "department": "department"}


class ImportFileError(ValueError):
    """The file as a whole cannot be read (wrong type, too big, no header)."""


@dataclass
class _Person:
    row: int
    email: str
    full_name: str
    department: Department | None
    squatter: User | None = None  # an unconfirmed self-registration of this address, to take back


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    skipped: int = 0  # invalid rows left out when only the valid rows were imported
    taken_over: int = 0  # of `created`: unconfirmed self-registrations of these addresses, taken back
    imported: bool = False


def _shown(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


def read_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """(spreadsheet row number, values by column) for each non-blank row, or ImportFileError."""
    if len(data) > MAX_BYTES:
        raise ImportFileError(f"The file must be smaller than {MAX_BYTES // 1024} KB: split it into several files")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV (Comma delimited)" on Windows
    if "\x00" in text:
        raise ImportFileError("The file must be a CSV file: save the spreadsheet as 'CSV UTF-8'")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if not header:
            raise ImportFileError("The file is empty: it needs a header row with email and full_name, then one row per person")
        columns = [HEADER_NAMES.get(h.strip().lower()) for h in header]
        missing = [c for c in ("email", "full_name") if c not in columns]
        if missing:
            raise ImportFileError(f"The header row must name the columns email and full_name (missing: {', '.join(missing)})")
        rows = []
        for values in reader:
            if not any(v.strip() for v in values):
                continue
            if len(rows) == MAX_ROWS:
                raise ImportFileError(f"The file has more than {MAX_ROWS} people: split it into several files")
            rows.append((reader.line_num, {c: v.strip() for c, v in zip(columns, values, strict=False) if c}))
    except csv.Error:  # its own wording ("field larger than field limit") would mean nothing to an admin
        raise ImportFileError("The selected file is not a readable CSV file: save the spreadsheet as 'CSV UTF-8' and choose it again") from None
    return rows


def _existing(session: Session, emails: list[str]) -> dict[str, User]:
    return {u.email.lower(): u for u in session.scalars(select(User).where(func.lower(User.email).in_(emails or [""])))}


def squatted(user: User, organisation: Organisation, now: dt.datetime) -> bool:
    """Registered by someone who never proved they read its mail, so the import may take the address back:
    at once in the importing organisation; elsewhere only once its confirmation link has expired, so an admin
    cannot pull a colleague who registered a moment ago with another organisation into theirs."""
    if not awaiting_confirmation(user):
        return False
    latest_link = user.confirmation_sent_at or user.created_at
    return user.organisation_id == organisation.id or now - latest_link > dt.timedelta(seconds=CONFIRMATION_SECONDS)


def _row_problem(row: int, raw_email: str, email: str, name: str, department_name: str, department: Department | None,
                 seen: dict[str, int]) -> str | None:
    """What is wrong with one row, as a message that says how to fix it, or None."""
    if len(email) > 320:  # before the costly validation: no address is longer
        return f"Row {row}: email '{_shown(raw_email)}' is longer than 320 characters — check the email column"
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:  # its own wording ("The email address is not valid...") is the library's, not ours
        return f"Row {row}: email '{_shown(raw_email)}' is not a valid email address — write it like name@example.gov.uk"
    if email in seen:
        return f"Row {row}: email '{_shown(raw_email)}' is already on row {seen[email]} — keep one of them"
    if not name:
        return f"Row {row}: full name is empty — enter the person's name"
    if len(name) > 200:
        return f"Row {row}: full name is longer than 200 characters — shorten it"
    if department_name and department is None:
        return f"Row {row}: department '{_shown(department_name)}' does not exist — add it on the organisation page first, or leave it empty"
    return None


def _check(session: Session, organisation: Organisation, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[_Person], int, list[str]]:
    """New people to add (or unconfirmed accounts to take back), how many are already here, and an error per invalid row."""
    departments = {d.name.lower(): d for d in session.scalars(select(Department).where(Department.organisation_id == organisation.id))}
    emails = [normalise_email(values.get("email", "")) for _row, values in rows]
    existing = _existing(session, emails)
    people, errors, unchanged, seen = [], [], 0, {}
    for (row, values), email in zip(rows, emails, strict=True):
        raw_email, name, department_name = values.get("email", ""), " ".join(values.get("full_name", "").split()), values.get("department", "")
        department = departments.get(department_name.lower()) if department_name else None
        problem = _row_problem(row, raw_email, email, name, department_name, department, seen)
        seen.setdefault(email, row)
        user = existing.get(email)
        if problem is None and user is not None and not squatted(user, organisation, utcnow()):
            if awaiting_confirmation(user):
                problem = (f"Row {row}: email '{_shown(raw_email)}' was registered with another organisation in the last "
                           f"{CONFIRMATION_SECONDS // 3600} hours and is waiting for its owner to confirm it — import this row again "
                           "in two days if it is still not confirmed")
            elif user.organisation_id != organisation.id:
                problem = f"Row {row}: email '{_shown(raw_email)}' already has an account with another organisation — ask the site administrator"
            else:
                unchanged += 1
                continue
        if problem:
            errors.append(problem)
            continue
        people.append(_Person(row, email, name, department, user))
    return people, unchanged, errors


def _add(session: Session, organisation: Organisation, person: _Person, actor_id: int | None) -> User:
    """A new imported account, or a squatted one taken back for its real owner (audited)."""
    department_id = person.department.id if person.department else None
    if person.squatter is None:
        user = User(email=person.email, full_name=person.full_name, password_hash=unusable_password(),
                    organisation_id=organisation.id, department_id=department_id, role=Role.LEARNER)
        session.add(user)
        return user
    user, previous = person.squatter, person.squatter.organisation_id
    take_over(session, user, person.full_name, unusable_password(), organisation.id, department_id)
    user.role, user.active = Role.LEARNER, True
    record_event(session, "user.taken_over_by_import", f"user:{user.public_id}", actor_id,
                 organisation=organisation.id, previous_organisation=previous)
    return user


def import_people(session: Session, organisation: Organisation, data: bytes, actor_id: int | None, only_valid: bool = False) -> ImportResult:
    """Check every row, then add the new people in one transaction and email each a set-password link;
    nothing at all if any row is invalid (unless `only_valid`). ImportFileError when the file itself cannot be read."""
    rows = read_rows(data)
    with write_transaction(session):
        people, unchanged, errors = _check(session, organisation, rows)
        result = ImportResult(errors=errors, unchanged=unchanged)
        if errors and not only_valid:
            return result
        added = [_add(session, organisation, person, actor_id) for person in people]
        session.flush()
        result.created, result.skipped, result.imported = len(people), len(errors), True
        result.taken_over = sum(1 for person in people if person.squatter is not None)
        record_event(session, "users.imported", f"organisation:{organisation.id}", actor_id, created=result.created,
                     unchanged=unchanged, skipped=result.skipped, rows=len(rows), taken_over=result.taken_over)
        plan_import_finished(session, organisation, actor_id, ImportCounts(result.created, unchanged, result.skipped))
    mail.send_all_soon([account_mail.set_password(user) for user in added])
    return result
