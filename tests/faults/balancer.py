"""A real load balancer for the fault tests: nginx from Debian, round robin over app servers, no sticky
sessions, with an access log that names the server behind each answer (and nothing from the URL, which
may carry a link's secret)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.faults.live import STARTUP_SECONDS, call, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 256; }}
http {{
  log_format upstreams '$request_method $status $upstream_addr';
  access_log {tmp}/access.log upstreams;
  client_body_temp_path {tmp}/body; proxy_temp_path {tmp}/proxy; fastcgi_temp_path {tmp}/fastcgi;
  uwsgi_temp_path {tmp}/uwsgi; scgi_temp_path {tmp}/scgi;
  upstream lms {{ {servers} }}
  server {{
    listen 127.0.0.1:{port};
    location / {{ proxy_pass http://lms; proxy_set_header Host $host; proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for; }}
  }}
}}
"""


@dataclass(frozen=True)
class Answer:
    """One line of the balancer's access log: the request's method, the status sent back, and the port of the
    server that gave it (the last one nginx tried)."""

    method: str
    status: int
    server: int


def require_nginx() -> None:
    """A test that needs nginx fails (never skips) when it is missing, saying how to install it."""
    if not Path(NGINX).exists():
        pytest.fail(f"nginx is missing at {NGINX}: apt-get install nginx-light (make test installs it)")


@contextmanager
def nginx_in_front(tmp: Path, *ports: int) -> Iterator[int]:
    """nginx on a free port, sharing requests round robin between the servers on `ports`; stopped afterwards."""
    port = free_port()
    tmp.mkdir(parents=True, exist_ok=True)
    servers = " ".join(f"server 127.0.0.1:{server};" for server in ports)
    (tmp / "nginx.conf").write_text(NGINX_CONF.format(tmp=tmp, servers=servers, port=port))
    process = subprocess.Popen([NGINX, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-g", "daemon off;"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not _healthy(port):
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _healthy(port: int) -> bool:
    try:
        return call(port, "GET", "/healthz", {})[0] == 200
    except OSError:
        return False


def answers(tmp: Path) -> list[Answer]:
    """The balancer's access log so far, oldest first."""
    lines = (tmp / "access.log").read_text().splitlines() if (tmp / "access.log").exists() else []
    return [_answer(line) for line in lines]


def _answer(line: str) -> Answer:
    method, status, upstreams = line.split(" ", 2)
    last = upstreams.split(",")[-1].strip()  # "127.0.0.1:A, 127.0.0.1:B" when A failed and B answered
    return Answer(method, int(status), int(last.rpartition(":")[2]) if ":" in last else 0)


def error_log(tmp: Path) -> str:
    return (tmp / "error.log").read_text() if (tmp / "error.log").exists() else ""
