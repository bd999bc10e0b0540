"""xAPI 1.0.3 statements for passes, fails and completions; their export, and the outbox sent to an LRS.

People are named by their pseudonymous `public_id`, never their email, unless their organisation has
opted in (`xapi_shares_email`). Statement ids are derived from the attempt or completion, so sending
a statement twice is harmless: an LRS keeps one statement per id (at-least-once delivery).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import logging
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_app_context
from sqlalchemy import Text, cast, func, or_, select
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Attempt, Completion, Module, ModuleVersion, Organisation, User, XapiOutbox, utcnow
from lms.services.periods import Period

log = logging.getLogger(__name__)
XAPI_VERSION = "1.0.3"
STATEMENT_NAMESPACE = uuid.UUID("6f1c2b0e-3d55-4c1e-9a53-2b7f0c1d8e41")  # never change: ids must stay stable
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
LANGUAGE = "en-GB"
FIRST_RETRY = dt.timedelta(minutes=1)
LONGEST_WAIT = dt.timedelta(hours=6)


@dataclass(frozen=True)
class Site:
    """Where statements come from: the site's address (the actors' homePage and activity ids) and name."""

    url: str
    name: str

    @classmethod
    def from_config(cls, config) -> Site:
        return cls(str(config["SITE_URL"]).rstrip("/"), str(config.get("SITE_NAME", "Safer Learning")))


@dataclass(frozen=True)
class Lrs:
    """A learning record store to forward statements to, with its basic-auth credentials."""

    endpoint: str
    username: str = ""
    password: str = ""
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Lrs | None:
        """The configured LRS (LMS_XAPI_ENDPOINT, LMS_XAPI_USERNAME, LMS_XAPI_PASSWORD), or None."""
        endpoint = str(config.get("XAPI_ENDPOINT") or "").strip()
        if not endpoint:
            return None
        if urlsplit(endpoint).scheme not in ("http", "https"):
            raise ValueError(f"XAPI_ENDPOINT '{endpoint}' must start with https:// (or http:// for a local test LRS)")
        return cls(endpoint.rstrip("/"), str(config.get("XAPI_USERNAME") or ""), str(config.get("XAPI_PASSWORD") or ""))


def statement_id(kind: str, record_id: int) -> str:
    """The same attempt or completion always gets the same statement id."""
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"{kind}:{record_id}"))


def timestamp(moment: dt.datetime) -> str:
    """A naive-UTC database time as an ISO 8601 UTC timestamp."""
    return moment.replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def duration(start: dt.datetime, end: dt.datetime) -> str:
    """ISO 8601 duration to the hundredth of a second, e.g. PT1H2M3.5S."""
    hundredths = max(0, round((end - start).total_seconds() * 100))
    hours, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds = f"{rest // 100}" + (f".{rest % 100:02d}".rstrip("0") if rest % 100 else "")
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{seconds}S"


def actor(user: User, organisation: Organisation, site: Site) -> dict:
    """The learner as an xAPI Agent: a pseudonymous account, or their email if the organisation opted in."""
    if organisation.xapi_shares_email and user.erased_at is None:
        return {"objectType": "Agent", "mbox": f"mailto:{user.email}"}
    return {"objectType": "Agent", "account": {"homePage": site.url, "name": user.public_id}}


@dataclass(frozen=True)
class Identity:
    """What can name a person in a statement: their email (as mbox or its SHA-1), pseudonym and name."""

    email: str
    public_id: str
    full_name: str

    @property
    def mbox(self) -> str:
        return f"mailto:{self.email}"

    def is_agent(self, value: dict) -> bool:
        """Whether an xAPI Agent (actor, instructor, team member...) is this person."""
        account = value.get("account") if isinstance(value.get("account"), dict) else {}
        return (value.get("mbox") == self.mbox or value.get("mbox_sha1sum") == hashlib.sha1(self.mbox.encode()).hexdigest()  # noqa: S324 - xAPI's own field
                or account.get("name") == self.public_id)


def forget_person(value: object, who: Identity, new_public_id: str, site: Site) -> object:
    """A copy of a statement (or part of one) that no longer names the person anywhere.

    Agents that are the person become the new pseudonym; any other text holding their email or old
    pseudonym has it replaced, and text that is just their name is emptied. Statements name people
    only in their actor today (see `actor`), but a sent statement is kept for good, so look everywhere.
    """
    if isinstance(value, dict):
        if who.is_agent(value):
            account = value.get("account") if isinstance(value.get("account"), dict) else {}
            return {"objectType": "Agent", "account": {"homePage": account.get("homePage", site.url), "name": new_public_id}}
        return {key: forget_person(item, who, new_public_id, site) for key, item in value.items()}
    if isinstance(value, list):
        return [forget_person(item, who, new_public_id, site) for item in value]
    if isinstance(value, str):
        if who.full_name and value.strip().casefold() == who.full_name.strip().casefold():
            return ""
        value = value.replace(who.email, "erased") if who.email else value
        return value.replace(who.public_id, new_public_id) if who.public_id else value
    return value


def outbox_about(session: Session, user: User, who: Identity) -> list[XapiOutbox]:
    """Queued and sent statements about a person: from their attempts and completions, or naming them."""
    ids = [statement_id("attempt", i) for i in session.scalars(select(Attempt.id).where(Attempt.user_id == user.id))]
    ids += [statement_id("completion", i) for i in session.scalars(select(Completion.id).where(Completion.user_id == user.id))]
    text = cast(XapiOutbox.statement, Text)
    traces = {t for value in (who.email, who.public_id) for t in (value, json.dumps(value)[1:-1])}
    found = or_(XapiOutbox.statement_id.in_(ids), *(text.contains(t, autoescape=True) for t in traces))
    return list(session.scalars(select(XapiOutbox).where(found).order_by(XapiOutbox.id)))


def _activity(activity_id: str, name: str, activity_type: str) -> dict:
    return {"objectType": "Activity", "id": activity_id, "definition": {"name": {LANGUAGE: name}, "type": activity_type}}


def module_activity(module: Module, version: ModuleVersion | None, site: Site) -> dict:
    """One activity per published version, so results stay tied to the content they were earned on."""
    if version is None:  # face-to-face: the module itself
        return _activity(f"{site.url}/modules/{module.slug}", module.title, COURSE_TYPE)
    return _activity(f"{site.url}/modules/{module.slug}/versions/{version.number}", f"{version.title} (version {version.number})", COURSE_TYPE)


def context(organisation: Organisation, module: Module, version: ModuleVersion | None, channel: str, site: Site) -> dict:
    """The organisation and partnership the learner trained with, as grouping activities."""
    partnership = organisation.partnership
    grouping = [
        _activity(f"{site.url}/organisations/{organisation.slug}", organisation.name, f"{site.url}/xapi/activity-types/organisation"),
        _activity(f"{site.url}/partnerships/{partnership.slug}", partnership.name, f"{site.url}/xapi/activity-types/partnership"),
    ]
    activities: dict[str, list[dict]] = {"grouping": grouping}
    if version is not None:
        activities["parent"] = [module_activity(module, None, site)]
    return {"platform": site.name, "language": LANGUAGE, "contextActivities": activities,
            "extensions": {f"{site.url}/xapi/extensions/channel": channel}}


def _verb(name: str) -> dict:
    return {"id": VERB_BASE + name, "display": {LANGUAGE: name}}


def _score(score: int) -> dict:
    return {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100}


def attempt_statement(attempt: Attempt, user: User, organisation: Organisation, module: Module, site: Site) -> dict:
    """'passed' or 'failed' for a marked assessment attempt."""
    version = attempt.version
    return {
        "id": statement_id("attempt", attempt.id),
        "actor": actor(user, organisation, site),
        "verb": _verb("passed" if attempt.passed else "failed"),
        "object": module_activity(module, version, site),
        "result": {"completion": bool(attempt.passed), "success": bool(attempt.passed), "score": _score(attempt.score or 0),
                   "duration": duration(attempt.started_at, attempt.submitted_at)},
        "context": context(organisation, module, version, "e-learning", site),
        "timestamp": timestamp(attempt.submitted_at),
    }


def completion_statement(completion: Completion, user: User, organisation: Organisation, module: Module,
                         attempt: Attempt | None, site: Site) -> dict:
    """'completed' for a completion that reports count: an e-learning pass or a face-to-face attendance."""
    result: dict = {"completion": True, "success": True}
    if completion.score is not None:
        result["score"] = _score(completion.score)
    if attempt is not None and attempt.submitted_at is not None:
        result["duration"] = duration(attempt.started_at, attempt.submitted_at)
    return {
        "id": statement_id("completion", completion.id),
        "actor": actor(user, organisation, site),
        "verb": _verb("completed"),
        "object": module_activity(module, completion.version, site),
        "result": result,
        "context": context(organisation, module, completion.version, completion.channel.value, site),
        "timestamp": timestamp(completion.completed_at),
    }


def attempt_statements(session: Session, attempt: Attempt, site: Site) -> list[dict]:
    """The statements one marked attempt gives: passed or failed, and completed if it earned a completion."""
    user = session.get(User, attempt.user_id)
    module = session.get(Module, attempt.version.module_id)
    statements = [attempt_statement(attempt, user, user.organisation, module, site)]
    completion = session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
    if completion is not None:
        organisation = session.get(Organisation, completion.organisation_id)
        statements.append(completion_statement(completion, user, organisation, module, attempt, site))
    return statements


def period_statements(session: Session, period: Period, site: Site) -> Iterator[dict]:
    """Every pass, fail and completion in a reporting period, in time order."""
    start, end = period.moments
    statements = []
    attempts = session.scalars(select(Attempt).where(Attempt.submitted_at >= start, Attempt.submitted_at < end)
                               .order_by(Attempt.submitted_at, Attempt.id))
    for attempt in attempts:
        user = session.get(User, attempt.user_id)
        statements.append(attempt_statement(attempt, user, user.organisation, session.get(Module, attempt.version.module_id), site))
    completions = session.scalars(select(Completion).where(
        Completion.fy_quarter >= period.first_quarter, Completion.fy_quarter <= period.last_quarter,
        Completion.completed_at >= start, Completion.completed_at < end, Completion.user_id.is_not(None),
        Completion.withdrawn_at.is_(None))  # a withdrawn session's completions are not exported (completions.COUNTS)
        .order_by(Completion.completed_at, Completion.id))
    for completion in completions:
        attempt = session.get(Attempt, completion.attempt_id) if completion.attempt_id else None
        statements.append(completion_statement(completion, session.get(User, completion.user_id),
                                               session.get(Organisation, completion.organisation_id), completion.module, attempt, site))
    yield from sorted(statements, key=lambda s: (s["timestamp"], s["verb"]["id"] != VERB_BASE + "completed", s["id"]))


def to_json_lines(statements: Iterator[dict]) -> Iterator[str]:
    for statement in statements:
        yield json.dumps(statement, sort_keys=True, ensure_ascii=False) + "\n"


# --- the outbox -----------------------------------------------------------------------------------

def queue_attempt(session: Session, attempt: Attempt) -> None:
    """In the caller's transaction, queue a just-marked attempt's statements, if an LRS is configured.

    Only rows are written here; `lms xapi send` does the network work, never the learner's request.
    """
    if not _forwarding():
        return
    session.flush()
    _enqueue(session, attempt_statements(session, attempt, Site.from_config(current_app.config)))


def queue_completion(session: Session, completion: Completion) -> None:
    """In the caller's transaction, queue the 'completed' statement of a face-to-face attendance."""
    if not _forwarding() or completion.user_id is None:
        return
    session.flush()
    user = session.get(User, completion.user_id)
    organisation = session.get(Organisation, completion.organisation_id)
    module = session.get(Module, completion.module_id)
    _enqueue(session, [completion_statement(completion, user, organisation, module, None, Site.from_config(current_app.config))])


def _forwarding() -> bool:
    """Whether an LRS is configured; a bad address is reported by `lms xapi send`, never to a learner."""
    return has_app_context() and bool(str(current_app.config.get("XAPI_ENDPOINT") or "").strip())


def _enqueue(session: Session, statements: list[dict]) -> None:
    for statement in statements:
        if session.scalar(select(XapiOutbox.id).where(XapiOutbox.statement_id == statement["id"])) is None:
            session.add(XapiOutbox(statement_id=statement["id"], statement=statement))


@dataclass
class SendReport:
    """What one `send_due` run did: statements accepted by the LRS, tries that failed, and the last error."""

    sent: int = 0
    failed: int = 0
    error: str = ""


def post_statements(lrs: Lrs, statements: list[dict]) -> str:
    """POST statements to the LRS; an empty string when it accepted them, otherwise what went wrong."""
    credentials = base64.b64encode(f"{lrs.username}:{lrs.password}".encode()).decode("ascii")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked to be http(s) in Lrs.from_config
        f"{lrs.endpoint}/statements", data=json.dumps(statements).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION, "Authorization": f"Basic {credentials}"})
    try:
        with urllib.request.urlopen(request, timeout=lrs.timeout) as response:  # noqa: S310
            response.read()
        return ""
    except urllib.error.HTTPError as error:
        return f"the LRS answered HTTP {error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        return f"the LRS could not be reached ({getattr(error, 'reason', error)})"


def retry_delay(tries: int) -> dt.timedelta:
    """Exponential backoff: 1, 2, 4, 8... minutes after each failed try, at most six hours."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_WAIT)


def send_due(session: Session, lrs: Lrs, now: dt.datetime | None = None, batch_size: int = 50, max_batches: int = 100,
             post: Callable[[Lrs, list[dict]], str] = post_statements) -> SendReport:
    """Send queued statements whose time has come, oldest first, in batches; stop at the first failure.

    No transaction is held open while the LRS is asked, so learners' writes never wait on the network.
    """
    now = now or utcnow()
    report = SendReport()
    for _ in range(max_batches):
        due = session.execute(select(XapiOutbox.id, XapiOutbox.statement).where(XapiOutbox.sent_at.is_(None), XapiOutbox.next_try_at <= now)
                              .order_by(XapiOutbox.id).limit(batch_size)).all()
        session.rollback()  # end the read before the network call
        if not due:
            break
        error = post(lrs, [statement for _id, statement in due])
        with write_transaction(session):
            for row in session.scalars(select(XapiOutbox).where(XapiOutbox.id.in_([row_id for row_id, _ in due]))):
                if error:
                    row.tries += 1
                    row.next_try_at, row.last_error = now + retry_delay(row.tries), error[:500]
                else:
                    row.tries, row.sent_at, row.last_error = row.tries + 1, utcnow(), ""
        if error:
            log.warning("xAPI: %d statement(s) not sent, will retry: %s", len(due), error)
            report.failed, report.error = report.failed + len(due), error
            break
        report.sent += len(due)
    return report


def outbox_waiting(session: Session) -> int:
    """How many statements have not been accepted by the LRS yet."""
    return session.scalar(select(func.count(XapiOutbox.id)).where(XapiOutbox.sent_at.is_(None))) or 0
