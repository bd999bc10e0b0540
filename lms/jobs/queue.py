"""The Huey instance an app's jobs go through: SQLite in the instance folder by default, Redis when
LMS_REDIS_URL is set (several app servers then share one queue).

The queue carries only wake-ups ("deliver due notices", "plan assignment 42"): the notice rows in the
database are the state, so a message lost with the queue loses nothing the periodic jobs will not redo.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from huey import Huey, RedisHuey, SqliteHuey
from redis import ConnectionPool

QUEUE_FILE = "jobs.sqlite3"
CONNECT_SECONDS = 2  # a request that queues a job waits at most this long for an unreachable Redis
READ_SECONDS = 3  # above Huey's 1 s blocking read (an idle worker's wait is never cut short); a Redis that takes the
# connection and then says nothing holds a request this long at most


def queue_name(config: Mapping[str, Any], instance_path: str) -> str:
    """LMS_JOBS_QUEUE, or one made from the site's address, so two installations on one Redis never mix.

    Under TESTING the instance folder is part of the name too: a test can never wake a real worker.
    """
    if name := str(config.get("JOBS_QUEUE") or "").strip():
        return re.sub(r"[^A-Za-z0-9_]+", "_", name)
    site = urlsplit(str(config.get("SITE_URL") or ""))
    name = "lms_" + re.sub(r"[^A-Za-z0-9]+", "_", f"{site.netloc}{site.path}").strip("_")
    if config.get("TESTING"):
        name += "_test_" + hashlib.sha256(instance_path.encode()).hexdigest()[:12]
    return name


def build_huey(config: Mapping[str, Any], instance_path: str) -> Huey:
    """RedisHuey when REDIS_URL is set, else SqliteHuey in the instance folder; results are not kept."""
    name = queue_name(config, instance_path)
    if url := str(config.get("REDIS_URL") or "").strip():
        pool = ConnectionPool.from_url(url, socket_connect_timeout=CONNECT_SECONDS, socket_timeout=READ_SECONDS)
        return RedisHuey(name, results=False, connection_pool=pool)
    return SqliteHuey(name, results=False, filename=str(Path(instance_path) / QUEUE_FILE))
