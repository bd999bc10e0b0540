"""xAPI statements for passes, fails and completions: built once and kept (statements, outbox), sent to an
LRS with dead letters for refusals (sending), and found or forgotten for personal data (privacy)."""

from lms.services.xapi.lease import Lease
from lms.services.xapi.outbox import (
    OLDER_PER_RUN,
    OutboxStatus,
    bring_forward,
    dead_letters,
    describe,
    is_statement_id,
    keep_unkept,
    kept_for,
    outbox_status,
    outbox_waiting,
    period_bodies,
    period_statements,
    queue_attempt,
    queue_completion,
    retry_dead,
    store,
    to_json_lines,
    unkept_count,
)
from lms.services.xapi.privacy import Identity, forget_person, outbox_about, sent_elsewhere
from lms.services.xapi.sending import Delivery, SendReport, deliver, deliver_batch, retry_delay, send_due
from lms.services.xapi.statements import (
    XAPI_VERSION,
    Site,
    attempt_statement,
    completion_statement,
    duration,
    namespace,
    namespace_problem,
    statement_id,
    timestamp,
)
from lms.services.xapi.transport import Answer, Lrs, exchange, held_identically, post_statements, redact, speaks_xapi

__all__ = [
    "OLDER_PER_RUN", "XAPI_VERSION", "Answer", "Delivery", "Identity", "Lease", "Lrs", "OutboxStatus", "SendReport", "Site", "attempt_statement", "bring_forward",
    "completion_statement", "dead_letters", "deliver", "deliver_batch", "describe", "duration", "exchange", "forget_person",
    "held_identically", "is_statement_id", "keep_unkept", "kept_for", "namespace", "namespace_problem", "outbox_about", "redact", "speaks_xapi", "outbox_status", "outbox_waiting", "period_bodies", "period_statements", "post_statements",
    "queue_attempt", "queue_completion", "retry_dead", "retry_delay", "send_due", "sent_elsewhere", "statement_id", "store",
    "timestamp", "to_json_lines", "unkept_count",
]
