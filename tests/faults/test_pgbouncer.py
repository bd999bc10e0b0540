"""PostgreSQL behind PgBouncer in transaction pooling mode, as a partnership with several app servers
would run it: with LMS_DATABASE_POOLER=transaction the schema migrates and every learner's pages and
passes go through a few shared server connections; without it, psycopg's prepared statements break.
The example pgbouncer.ini in docs/operations.md starts as written, with only this machine's addresses changed.

The test has a database of its own on the PostgreSQL the suite uses (127.0.0.1:5432 on the SQLite run).
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from flask import Flask
from sqlalchemy import URL, create_engine, func, make_url, select

from lms import create_app, migrate
from lms.db import db, make_engine
from lms.models import Completion
from tests.builders import make_organisation, make_partnership, publish_module
from tests.conftest import ROOT, TEST_DATABASE_URL, TINY
from tests.faults.live import STARTUP_SECONDS, Learner, add_learners, free_port, gunicorn, request, server_log

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
SERVER_CONNECTIONS = 2  # fewer than the workers' connections, so every worker's transactions move between them
WORKERS = 3
LEARNERS = 24  # four requests each: every worker runs the same statements far more than psycopg's 5 before preparing
AFTER_RESTART = 3 * WORKERS  # requests after PgBouncer restarts: each worker is likely to meet its closed connection
PREPARED_ERROR = re.compile(r'prepared statement "[^"]+" (does not exist|already exists)')
PGBOUNCER_INI = """[databases]
{name} = host={host} port={port} dbname={name} user={user}{password}
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {listen}
unix_socket_dir =
auth_type = trust
auth_file = {tmp}/userlist.txt
pool_mode = transaction
default_pool_size = {pool}
max_client_conn = 50
{run_as}
"""
OPERATIONS = ROOT / "docs" / "operations.md"


def suite_postgres() -> URL:
    """The PostgreSQL server and database the suite uses (on the SQLite run, the local server's `postgres`)."""
    return make_url(TEST_DATABASE_URL if TEST_DATABASE_URL.startswith("postgresql") else LOCAL_POSTGRES)


def postgres_behind() -> URL:
    """The PostgreSQL server the suite uses, and the test's own database on it."""
    server = suite_postgres()
    return server.set(database=f"{server.database}_pgbouncer" if TEST_DATABASE_URL else "lms_pgbouncer_test")


@contextmanager
def own_database(target: URL) -> Iterator[None]:
    """Create the database afresh (any left by an earlier run is dropped), and drop it afterwards."""
    maintenance = make_url(TEST_DATABASE_URL) if TEST_DATABASE_URL else make_url(LOCAL_POSTGRES)
    engine = create_engine(maintenance, isolation_level="AUTOCOMMIT")
    drop = f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'  # FORCE: PostgreSQL 13 and later
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(drop)
            connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
        yield
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(drop)
        engine.dispose()


def _write_config(tmp: Path, target: URL, listen: int) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "userlist.txt").write_text(f'"{target.username}" ""\n')
    run_as = "user = nobody" if os.geteuid() == 0 else ""  # PgBouncer refuses to run as root
    password = f" password={target.password}" if target.password else ""
    ini = tmp / "pgbouncer.ini"
    ini.write_text(PGBOUNCER_INI.format(name=target.database, host=target.host, port=target.port or 5432, user=target.username,
                                        password=password, listen=listen, tmp=tmp, pool=SERVER_CONNECTIONS, run_as=run_as))
    return ini


def documented_ini() -> str:
    """The example pgbouncer.ini of docs/operations.md, exactly as an operator would copy it."""
    blocks = re.findall(r"^```ini\n(.*?)^```", OPERATIONS.read_text(), flags=re.S | re.M)
    found = [block for block in blocks if "[pgbouncer]" in block]
    assert len(found) == 1, f"expected one ```ini block with [pgbouncer] in {OPERATIONS}, found {len(found)}"
    return found[0]


def _setting(line: str) -> str:
    """The name a line of the ini sets, or "" for a section, a comment or a blank line."""
    return line.split("=", 1)[0].strip() if "=" in line and not line.lstrip().startswith(";") else ""


def _put(pattern: str, value: str, line: str) -> str:
    """The line with the first match of `pattern` replaced by `value`, taken literally (paths, ports)."""
    return re.sub(pattern, lambda _: value, line, count=1)


def _write_documented_config(tmp: Path, target: URL, listen: int) -> Path:
    """The documented ini with only what differs on this machine: its addresses, and trust in place of SCRAM
    secrets. Every other line stays as documented, and only the value of a changed line changes."""
    tmp.mkdir(parents=True, exist_ok=True)
    here = {"listen_addr": "127.0.0.1", "listen_port": str(listen), "auth_type": "trust",
            "auth_file": str(tmp / "userlist.txt"), "unix_socket_dir": ""}
    if os.geteuid() == 0:
        here["user"] = "nobody"  # PgBouncer refuses to run as root
    lines, section = [], ""
    for line in documented_ini().splitlines():
        section = line.strip() if line.startswith("[") else section
        key = _setting(line)
        if section == "[databases]" and key:
            for name, value in (("host", target.host), ("port", target.port or 5432), ("dbname", target.database)):
                line = _put(rf"\b{name}=\S+", f"{name}={value}", line)
        elif key in here:
            line = _put(r"=[ \t]*\S*", f"= {here.pop(key)}", line)
        lines.append(line)
    lines += [f"{key} = {value}" for key, value in here.items()]  # into [pgbouncer], the last section
    users = {target.username} | {name.strip() for line in lines if _setting(line) == "stats_users"
                                 for name in line.split("=", 1)[1].split(",")}
    (tmp / "userlist.txt").write_text("".join(f'"{name}" ""\n' for name in sorted(users)))
    ini = tmp / "pgbouncer.ini"
    ini.write_text("\n".join(lines) + "\n")
    return ini


class PgBouncer:
    """PgBouncer on a free local port in front of `target`, started and stopped by the test; the test's own
    transaction-mode config unless told otherwise."""

    def __init__(self, tmp: Path, target: URL, config: Callable[[Path, URL, int], Path] = _write_config) -> None:
        self.tmp, self.port = tmp, free_port()
        self.ini = config(tmp, target, self.port)
        self.url = target.set(host="127.0.0.1", port=self.port)  # what the app is given
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.tmp / "pgbouncer.log", "ab") as log:
            self.process = subprocess.Popen([PGBOUNCER, str(self.ini)], stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _accepts(self.port):
            assert self.process.poll() is None, (self.tmp / "pgbouncer.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "pgbouncer did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        """PgBouncer's fast shutdown (SIGTERM): its client connections are closed at once."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=10)


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def pgbouncer_installed() -> None:
    if not Path(PGBOUNCER).exists():
        pytest.fail(f"pgbouncer is missing at {PGBOUNCER}: apt-get install pgbouncer (make test installs it)")


@pytest.fixture
def bounced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Flask, PgBouncer]]:
    """An app that reaches its database only through PgBouncer, migrated through it, the tiny module published."""
    pgbouncer_installed()
    monkeypatch.setenv("LMS_INSTANCE_PATH", str(tmp_path / "instance"))
    target = postgres_behind()
    with own_database(target):
        bouncer = PgBouncer(tmp_path / "pgbouncer", target)
        try:
            bouncer.start()
            app = create_app({"TESTING": True, "DATABASE_URL": bouncer.url.render_as_string(hide_password=False),
                              "DATABASE_POOLER": "transaction", "SECRET_KEY": "pgbouncer-test-secret",
                              "SESSION_COOKIE_SECURE": False})
            with app.app_context():
                migrate.upgrade(db.engine)  # what `lms db upgrade` runs, here through PgBouncer
                assert migrate.current_revision(db.engine) == migrate.head_revision()
                publish_module(db.session, TINY, tmp_path / "build")
                yield app, bouncer
                db.session.remove()
                db.engine.dispose()
        finally:
            bouncer.stop()


def new_learners(app: Flask, count: int, name: str) -> list[Learner]:
    organisation = make_organisation(db.session, make_partnership(db.session, f"Safer {name}"), f"{name} Council")
    db.session.commit()
    learners = add_learners(app, db.session, organisation, count, prefix=f"{organisation.slug}-learner")
    db.session.close()  # the connection goes back to the pool: the servers do the rest
    return learners


DROPPED = 0  # the worker closed the connection with no answer (it failed while handling the error itself)


def status_of(port: int, method: str, path: str, cookie: str, body: str = "") -> int:
    """The answer's status, or DROPPED: a learner's browser shows an error page either way."""
    try:
        return request(port, method, path, cookie, body)[0]
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return DROPPED


def journey(port: int, learner: Learner) -> list[int]:
    """A learner's visit: their training, a lesson page, a passing submission and its result."""
    attempt = f"/attempts/{learner.attempt_id}"
    return [status_of(port, "GET", "/my-training", learner.cookie),
            status_of(port, "GET", "/modules/tiny-module/pages/1", learner.cookie),
            status_of(port, "POST", attempt, learner.cookie, learner.passing_form),
            status_of(port, "GET", f"{attempt}/result", learner.cookie)]


def run_learners(port: int, learners: list[Learner]) -> list[int]:
    with ThreadPoolExecutor(6) as pool:
        return [status for statuses in pool.map(lambda learner: journey(port, learner), learners) for status in statuses]


def completions_of(learners: list[Learner]) -> dict[int, int]:
    rows = db.session.execute(select(Completion.user_id, func.count(Completion.id))
                              .where(Completion.user_id.in_([learner.user_id for learner in learners])).group_by(Completion.user_id))
    return dict(rows.all())


def test_do_learners_pass_through_pgbouncer_in_transaction_mode_with_the_pooler_setting(bounced, tmp_path):
    app, bouncer = bounced
    learners = new_learners(app, LEARNERS, "Bounced")
    with gunicorn(app, tmp_path / "instance", workers=WORKERS, env={"LMS_DATABASE_POOLER": "transaction"}) as (_server, port):
        assert run_learners(port, learners) == [200, 200, 302, 200] * len(learners)
        # PgBouncer restarts: the workers' idle connections to it are closed, found closed at checkout, replaced.
        bouncer.stop()
        bouncer.start()
        after = [request(port, "GET", "/my-training", learner.cookie)[0] for learner in learners[:AFTER_RESTART]]
        assert after == [200] * AFTER_RESTART
    assert completions_of(learners) == {learner.user_id: 1 for learner in learners}
    assert not PREPARED_ERROR.search(server_log(tmp_path / "instance"))


def test_does_the_same_load_fail_through_pgbouncer_without_the_pooler_setting(bounced, tmp_path):
    """psycopg prepares a statement on whichever server connection PgBouncer lent it, then later runs it
    by name on another, where it does not exist or another statement has that name."""
    app, _bouncer = bounced
    learners = new_learners(app, LEARNERS, "Unprepared")
    with gunicorn(app, tmp_path / "instance", workers=WORKERS, env={"LMS_DATABASE_POOLER": ""}) as (_server, port):
        statuses = run_learners(port, learners)
    assert {500, DROPPED} & set(statuses), "without LMS_DATABASE_POOLER=transaction every request still succeeded"
    assert PREPARED_ERROR.search(server_log(tmp_path / "instance")), server_log(tmp_path / "instance")[-3000:]


def test_is_a_misspelt_pooler_setting_refused_with_what_to_set():
    with pytest.raises(ValueError, match="set it to 'transaction'"):
        make_engine("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", pooler="transactions")


def test_does_the_documented_pgbouncer_ini_start_and_pass_queries_on(tmp_path):
    """An operator copies the example from docs/operations.md: PgBouncer must accept it (1.18 refuses a
    comment at the end of a line), lend a connection to PostgreSQL, and let the stats user see the pools."""
    pgbouncer_installed()
    target, example = suite_postgres(), documented_ini()
    alias = re.search(r"^\[databases\]\n(\w+) =", example, flags=re.M)
    assert alias, f"the example's [databases] names no database: {example}"
    bouncer = PgBouncer(tmp_path / "pgbouncer", target, config=_write_documented_config)
    try:
        bouncer.start()
        with psycopg.connect(host="127.0.0.1", port=bouncer.port, dbname=alias[1], user=target.username,
                             password=target.password, prepare_threshold=None) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        stats = re.search(r"^stats_users = (\w+)$", example, flags=re.M)
        assert stats, f"the example names no stats_users, so SHOW POOLS is refused: {example}"
        with psycopg.connect(host="127.0.0.1", port=bouncer.port, dbname="pgbouncer", user=stats[1], autocommit=True) as console:
            pools = console.execute("SHOW POOLS")
            assert "cl_waiting" in [column.name for column in pools.description]
            assert (alias[1], target.username) in [row[:2] for row in pools.fetchall()]
    finally:
        bouncer.stop()
