"""One `lms xapi send` at a time: a lease on the installation row, taken with one conditional UPDATE.

Cron may start a run while the last one is still waiting on a slow LRS; two runs sending the same rows
would both record them. The UPDATE sets the lease only where it is free or expired, which the database
does atomically (SQLite and PostgreSQL alike), so exactly one run gets it. A run that dies leaves a lease
that expires on its own.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from lms.db import write_transaction
from lms.models import Installation, utcnow
from lms.services.xapi.statements import INSTALLATION_ROW, stored_namespace


class Lease:
    """This run's claim to be the one sender, held until `give_back` or for `length` after the last renewal."""

    def __init__(self, session: Session, length: dt.timedelta) -> None:
        self.session, self.length, self.token = session, length, str(uuid.uuid4())

    def _set(self, condition, token: str, until: dt.datetime | None) -> bool:
        with write_transaction(self.session):
            result = self.session.execute(update(Installation).where(Installation.id == INSTALLATION_ROW, condition)
                                          .values(sender_lease_token=token, sender_lease_until=until))
        return result.rowcount == 1

    def take(self) -> bool:
        """Take the lease if no other run holds it (or its holder's time ran out)."""
        with write_transaction(self.session):
            stored_namespace(self.session)  # the installation row exists from here on (sound or not: sending needs no namespace)
        now = utcnow()
        free = or_(Installation.sender_lease_until.is_(None), Installation.sender_lease_until < now)
        return self._set(free, self.token, now + self.length)

    def renew(self) -> bool:
        """Keep the lease for another `length`; False if it was lost (it expired and another run took it)."""
        return self._set(Installation.sender_lease_token == self.token, self.token, utcnow() + self.length)

    def give_back(self) -> None:
        self._set(Installation.sender_lease_token == self.token, "", None)

    def held_until(self) -> dt.datetime | None:
        """Until when another run holds the lease, for the message to whoever started this one."""
        until = self.session.scalar(select(Installation.sender_lease_until).where(Installation.id == INSTALLATION_ROW))
        self.session.rollback()
        return until
