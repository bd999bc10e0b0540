"""xAPI statements for passes, fails and completions: built once and kept (statements, outbox), sent to an
LRS with dead letters for refusals (sending), and found or forgotten for personal data (privacy)."""

from lms.services.xapi.outbox import (
    OutboxStatus,
    dead_letters,
    describe,
    is_statement_id,
    outbox_status,
    outbox_waiting,
    period_bodies,
    period_statements,
    queue_attempt,
    queue_completion,
    retry_dead,
    store,
    to_json_lines,
)
from lms.services.xapi.privacy import Identity, forget_person, outbox_about, sent_elsewhere
from lms.services.xapi.sending import Answer, Delivery, Lrs, SendReport, deliver, held_identically, post_statements, retry_delay, send_due
from lms.services.xapi.statements import (
    XAPI_VERSION,
    Site,
    attempt_statement,
    completion_statement,
    duration,
    namespace,
    statement_id,
    timestamp,
)

__all__ = [
    "XAPI_VERSION", "Answer", "Delivery", "Identity", "Lrs", "OutboxStatus", "SendReport", "Site", "attempt_statement",
    "completion_statement", "dead_letters", "deliver", "describe", "duration", "forget_person", "held_identically", "is_statement_id",
    "namespace", "outbox_about", "outbox_status", "outbox_waiting", "period_bodies", "period_statements", "post_statements",
    "queue_attempt", "queue_completion", "retry_dead", "retry_delay", "send_due", "sent_elsewhere", "statement_id", "store",
    "timestamp", "to_json_lines",
]
