"""Building xAPI 1.0.3 statements for passes, fails and completions: the statement rule's one home.

People are named by their pseudonymous `public_id`, never their email, unless their organisation has
opted in (`xapi_shares_email`). A statement's id is derived from this installation's own random
namespace and the attempt or completion, so a resend is harmless and two installations never collide.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from lms.models import Attempt, Completion, Installation, Module, ModuleVersion, Organisation, User

XAPI_VERSION = "1.0.3"
VERB_BASE = "http://adlnet.gov/expapi/verbs/"
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
LANGUAGE = "en-GB"
INSTALLATION_ROW = 1


@dataclass(frozen=True)
class Site:
    """Where statements come from: the site's address (the actors' homePage and activity ids) and name."""

    url: str
    name: str

    @classmethod
    def from_config(cls, config) -> Site:
        return cls(str(config["SITE_URL"]).rstrip("/"), str(config.get("SITE_NAME", "Safer Learning")))


def stored_namespace(session: Session) -> str:
    """The namespace as stored, made (random) the first time it is needed and never again.

    It lives in the database (so backups keep it); two workers making it at once both end up with the
    one that was committed first."""
    stored = session.scalar(select(Installation.statement_namespace).where(Installation.id == INSTALLATION_ROW))
    if stored is None:
        try:
            with session.begin_nested():
                session.add(Installation(id=INSTALLATION_ROW, statement_namespace=str(uuid.uuid4())))
        except IntegrityError:
            pass  # another worker made it first: use theirs
        stored = session.scalar(select(Installation.statement_namespace).where(Installation.id == INSTALLATION_ROW))
    return stored


def namespace(session: Session) -> uuid.UUID:
    """This installation's statement namespace, checked: a value that is not a UUID is refused with what to do."""
    stored = stored_namespace(session)
    try:
        return uuid.UUID(stored)
    except ValueError:
        raise ValueError(f"the installation's statement namespace '{stored}' is not a UUID, so no statement can be built: "
                         "put back the value from a backup of the installation table") from None


def namespace_problem(session: Session) -> str:
    """What is wrong with the stored namespace, for `lms xapi status` ('' when it is sound or not made yet)."""
    stored = session.scalar(select(Installation.statement_namespace).where(Installation.id == INSTALLATION_ROW))
    try:
        uuid.UUID(stored or str(uuid.UUID(int=0)))
    except ValueError:
        return f"the installation's statement namespace '{stored}' is not a UUID: put back the value from a backup of the installation table"
    return ""


def statement_id(space: uuid.UUID, kind: str, record_id: int) -> str:
    """The same attempt or completion always gets the same id on this installation, and another id anywhere else."""
    return str(uuid.uuid5(space, f"{kind}:{record_id}"))


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


def attempt_statement(space: uuid.UUID, attempt: Attempt, user: User, organisation: Organisation, module: Module, site: Site) -> dict:
    """'passed' or 'failed' for a marked assessment attempt."""
    version = attempt.version
    return {
        "id": statement_id(space, "attempt", attempt.id),
        "actor": actor(user, organisation, site),
        "verb": _verb("passed" if attempt.passed else "failed"),
        "object": module_activity(module, version, site),
        "result": {"completion": bool(attempt.passed), "success": bool(attempt.passed), "score": _score(attempt.score or 0),
                   "duration": duration(attempt.started_at, attempt.submitted_at)},
        "context": context(organisation, module, version, "e-learning", site),
        "timestamp": timestamp(attempt.submitted_at),
    }


def completion_statement(space: uuid.UUID, completion: Completion, user: User, organisation: Organisation, module: Module,
                         attempt: Attempt | None, site: Site) -> dict:
    """'completed' for a completion that reports count: an e-learning pass or a face-to-face attendance."""
    result: dict = {"completion": True, "success": True}
    if completion.score is not None:
        result["score"] = _score(completion.score)
    if attempt is not None and attempt.submitted_at is not None:
        result["duration"] = duration(attempt.started_at, attempt.submitted_at)
    return {
        "id": statement_id(space, "completion", completion.id),
        "actor": actor(user, organisation, site),
        "verb": _verb("completed"),
        "object": module_activity(module, completion.version, site),
        "result": result,
        "context": context(organisation, module, completion.version, completion.channel.value, site),
        "timestamp": timestamp(completion.completed_at),
    }


def for_attempt(session: Session, space: uuid.UUID, attempt: Attempt, site: Site) -> dict:
    """An attempt's statement, reading its learner, organisation and module as they are now."""
    user = session.get(User, attempt.user_id)
    return attempt_statement(space, attempt, user, user.organisation, session.get(Module, attempt.version.module_id), site)


def for_completion(session: Session, space: uuid.UUID, completion: Completion, site: Site) -> dict:
    """A completion's statement, reading its learner, organisation, module and attempt as they are now."""
    attempt = session.get(Attempt, completion.attempt_id) if completion.attempt_id else None
    return completion_statement(space, completion, session.get(User, completion.user_id), session.get(Organisation, completion.organisation_id),
                                session.get(Module, completion.module_id), attempt, site)
