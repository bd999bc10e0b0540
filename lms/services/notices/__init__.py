"""Notices: the emails about training that the job queue plans and sends (see docs/notices.md).

planning.py decides who is owed which notice today (learners' reminders, digests, the quarterly figures);
messages.py says what each one says; outbox.py writes each as a row with a unique key before sending it,
sends due rows through lms.mail, and retries failures with backoff; preferences.py holds what people chose
and the signed unsubscribe links.
"""
