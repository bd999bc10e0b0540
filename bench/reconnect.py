"""Does the app ride through PostgreSQL closing its connections (a restart, a failover, a terminated backend)?

The engine checks each pooled connection's socket on checkout instead of pinging the server
(lms/db.py). This script proves that still works: it signs a learner in, loads a lesson page, has
the server terminate every other connection to the database (what a restart does to them), and
loads the page again, a few times over. Every page must load.

    .venv/bin/python bench/reconnect.py [--postgres-url URL]

The database named by --postgres-url (default: LMS_BENCH_POSTGRES_URL, or `lms_bench`) is emptied
first; its name must contain "bench".
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.serve import SECRET_KEY, USER_AGENT, prepare  # noqa: E402 - after the path is set

ROUNDS = 3
TERMINATE_OTHERS = ("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres-url", default=os.environ.get("LMS_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lms_bench"))
    url = parser.parse_args().postgres_url
    if "bench" not in urlsplit(url).path:
        raise SystemExit("refusing to empty a PostgreSQL database whose name does not contain 'bench'")
    from sqlalchemy import text

    from lms import create_app
    from lms.db import make_engine

    with tempfile.TemporaryDirectory(prefix="lms-reconnect-") as scratch:
        instance = prepare(url, Path(scratch), 0)
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "SESSION_COOKIE_SECURE": False, "LOG_LEVEL": "WARNING"})
        client = app.test_client()
        client.set_cookie("session", instance.lesson_cookie.split("=", 1)[1])
        failures = 0
        for round_number in range(1, ROUNDS + 1):
            before = client.get("/modules/tiny-module/pages/1", headers={"User-Agent": USER_AGENT}).status_code
            admin = make_engine(url)
            with admin.begin() as connection:
                terminated = connection.execute(text(TERMINATE_OTHERS)).scalar_one()
            admin.dispose()
            time.sleep(0.2)  # let the server finish closing them
            after = client.get("/modules/tiny-module/pages/1", headers={"User-Agent": USER_AGENT}).status_code
            failures += (before, after) != (200, 200)
            print(f"round {round_number}: page {before}, {terminated} connection(s) terminated by the server, page {after}")
        print("every page loaded after the server closed the connections" if not failures else f"{failures} round(s) FAILED")
        raise SystemExit(1 if failures else 0)


if __name__ == "__main__":
    main()
