"""Bulk import of an organisation's people from CSV: every row checked first, then all or nothing.

Columns (header row, any order, any case): email, full_name (or name), department (optional).
Imported people are learners with an unusable password: they set their own through password reset.
Importing the same file again changes nothing: people already in the organisation are left as they are.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Department, Organisation, Role, User
from lms.services.accounts import normalise_email
from lms.services.audit import record_event

MAX_BYTES = 1024 * 1024
MAX_ROWS = 5000
UNUSABLE_PASSWORD_PREFIX = "!"  # noqa: S105 - never a Werkzeug hash, so no password can ever match it
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


@dataclass
class ImportResult:
    errors: list[str] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    skipped: int = 0  # invalid rows left out when only the valid rows were imported
    imported: bool = False


def unusable_password() -> str:
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_hex(16)


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
    except csv.Error as error:
        raise ImportFileError(f"The file is not a readable CSV file ({error}): save the spreadsheet as 'CSV UTF-8'") from None
    return rows


def _check(session: Session, organisation: Organisation, rows: list[tuple[int, dict[str, str]]]) -> tuple[list[_Person], int, list[str]]:
    """New people to add, how many are already here, and an error per invalid row."""
    departments = {d.name.lower(): d for d in session.scalars(select(Department).where(Department.organisation_id == organisation.id))}
    emails = [normalise_email(values.get("email", "")) for _row, values in rows]
    existing = dict(session.execute(select(func.lower(User.email), User.organisation_id).where(func.lower(User.email).in_(emails or [""]))).all())
    people, errors, unchanged, seen = [], [], 0, {}
    for (row, values), email in zip(rows, emails, strict=True):
        raw_email, name, department_name = values.get("email", ""), " ".join(values.get("full_name", "").split()), values.get("department", "")
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            errors.append(f"row {row}: email '{_shown(raw_email)}' is not a valid address — {error}")
            continue
        if email in seen:
            errors.append(f"row {row}: email '{_shown(raw_email)}' is already on row {seen[email]} — keep one of them")
            continue
        seen[email] = row
        if not name:
            errors.append(f"row {row}: full name is empty — enter the person's name")
            continue
        if len(name) > 200:
            errors.append(f"row {row}: full name is longer than 200 characters — shorten it")
            continue
        department = departments.get(department_name.lower()) if department_name else None
        if department_name and department is None:
            errors.append(f"row {row}: department '{_shown(department_name)}' does not exist — add it on the organisation page first, or leave it empty")
            continue
        if email in existing:
            if existing[email] == organisation.id:
                unchanged += 1
            else:
                errors.append(f"row {row}: email '{_shown(raw_email)}' already has an account with another organisation — ask the site administrator")
            continue
        people.append(_Person(row, email, name, department))
    return people, unchanged, errors


def import_people(session: Session, organisation: Organisation, data: bytes, actor_id: int | None, only_valid: bool = False) -> ImportResult:
    """Check every row, then add the new people in one transaction; nothing at all if any row is invalid
    (unless `only_valid`). ImportFileError when the file itself cannot be read."""
    rows = read_rows(data)
    with write_transaction(session):
        people, unchanged, errors = _check(session, organisation, rows)
        result = ImportResult(errors=errors, unchanged=unchanged)
        if errors and not only_valid:
            return result
        for person in people:
            session.add(User(email=person.email, full_name=person.full_name, password_hash=unusable_password(),
                             organisation_id=organisation.id, department_id=person.department.id if person.department else None,
                             role=Role.LEARNER))
        result.created, result.skipped, result.imported = len(people), len(errors), True
        record_event(session, "users.imported", f"organisation:{organisation.id}", actor_id, created=result.created,
                     unchanged=unchanged, skipped=result.skipped, rows=len(rows))
    return result
