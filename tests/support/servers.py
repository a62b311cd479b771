"""Real servers for tests, each on 127.0.0.1 and stopped afterwards: PostgreSQL, Redis, an SMTP
sink and the shop itself under gunicorn."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PG_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 20.0, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode} before listening on {port}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


# --- PostgreSQL ------------------------------------------------------------------------------


@dataclass
class Postgres:
    root: Path
    port: int
    bindir: Path

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def _as_postgres(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else list(args)

    def psql(self, sql: str, dbname: str = "postgres") -> None:
        subprocess.run(
            self._as_postgres(
                str(self.bindir / "psql"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-d",
                dbname,
                "-v",
                "ON_ERROR_STOP=1",
                "-q",
                "-c",
                sql,
            ),
            check=True,
            capture_output=True,
        )

    def stop(self) -> None:
        subprocess.run(
            self._as_postgres(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> Postgres:
    """initdb + start a throwaway cluster (fsync off). Needs the PostgreSQL server binaries."""
    if not PG_BIN_DIRS:
        raise RuntimeError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql (apt-get install postgresql)"
        )
    bindir = PG_BIN_DIRS[0]
    root = Path(tempfile.mkdtemp(prefix="shop-pg-"))
    (root / "data").mkdir()
    (root / "sock").mkdir()
    port = free_port()
    pg = Postgres(root=root, port=port, bindir=bindir)
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(root, "postgres", "postgres")
        for sub in ("data", "sock"):
            shutil.chown(root / sub, "postgres", "postgres")
    os.chmod(root / "data", 0o700)
    subprocess.run(
        pg._as_postgres(
            str(bindir / "initdb"),
            "-D",
            str(root / "data"),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        ),
        check=True,
        capture_output=True,
    )
    subprocess.run(
        pg._as_postgres(
            str(bindir / "pg_ctl"),
            "-D",
            str(root / "data"),
            "-l",
            str(root / "sock" / "log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {root / 'sock'} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c max_connections=100",
            "start",
        ),
        check=True,
        capture_output=True,
    )
    return pg


# --- Redis -----------------------------------------------------------------------------------


def stop_process_group(proc: subprocess.Popen, timeout: float = 10.0) -> None:
    """Stop a server started in its own session (start_new_session=True) with every process it
    forked (gunicorn's workers), and wait for it: nothing may outlive the test that started it."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Workers may outlive a master that has exited: end the whole group either way.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@dataclass
class Redis:
    port: int
    proc: subprocess.Popen

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        stop_process_group(self.proc, timeout=5)


def start_redis() -> Redis:
    exe = shutil.which("redis-server")
    if exe is None:
        raise RuntimeError("redis-server not found (apt-get install redis-server)")
    port = free_port()
    proc = subprocess.Popen(
        [exe, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=without_faketime(os.environ),
    )
    try:
        wait_for_port(port, proc=proc)
    except Exception:
        stop_process_group(proc, timeout=2)
        raise
    return Redis(port=port, proc=proc)


def without_faketime(env) -> dict[str, str]:
    """The environment minus libfaketime's variables. redis-server does not start under libfaketime
    (its allocator recurses into clock_gettime); it needs no moved clock either: the limits kept in
    it are stamped by the shop, which runs on the test's clock."""
    return {k: v for k, v in env.items() if k != "LD_PRELOAD" and not k.startswith("FAKETIME")}


# --- SMTP sink -------------------------------------------------------------------------------


@dataclass
class SmtpSink:
    """A real SMTP server (aiosmtpd) that keeps what it receives."""

    port: int = 0
    messages: list[EmailMessage] = field(default_factory=list)
    _controller: object = None

    def start(self) -> SmtpSink:
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                sink.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


# --- The shop under gunicorn -----------------------------------------------------------------


@dataclass
class ShopServer:
    url: str
    proc: subprocess.Popen
    log: Path

    def stop(self) -> None:
        stop_process_group(self.proc)


def test_clock_env() -> dict[str, str]:
    """The test's clock for a server in another process (read by shop/clock.py)."""
    from shop import clock

    return {"SHOP_TEST_CLOCK": clock.now().isoformat()}


def _flask(args: list[str], database_url: str, instance: Path) -> None:
    env = {
        **os.environ,
        **test_clock_env(),
        "DATABASE_URL": database_url,
        "SHOP_ENV": "testing",
        "FLASK_APP": "wsgi",
        "SHOP_INSTANCE_PATH": str(instance),
    }
    subprocess.run([sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def migrate_database(database_url: str, instance: Path) -> None:
    """`flask db upgrade` in a subprocess, exactly as `make run` does."""
    _flask(["db", "upgrade"], database_url, instance)


def seed_demo(database_url: str, instance: Path) -> None:
    """`flask shop seed-demo`, as `make run` does."""
    _flask(["shop", "seed-demo"], database_url, instance)


def start_shop(env: dict[str, str], *, workers: int = 1, instance: Path) -> ShopServer:
    """Serve wsgi:app with gunicorn on a free port. `env` adds to the environment
    (DATABASE_URL, SECRET_KEY, MAIL_*, REDIS_URL …)."""
    port = free_port()
    log = instance / f"gunicorn-{port}.log"
    full_env = {**os.environ, **test_clock_env(), "SHOP_ENV": "testing", "SHOP_INSTANCE_PATH": str(instance), **env}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--threads",
                "4",
                "--no-control-socket",  # gunicorn 27 would share ~/.gunicorn/gunicorn.ctl between servers
                "--access-logfile",
                "-",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        wait_for_port(port, proc=proc)
    except Exception:
        stop_process_group(proc, timeout=2)
        raise RuntimeError(f"gunicorn did not start:\n{log.read_text()}") from None
    return ShopServer(url=f"http://127.0.0.1:{port}", proc=proc, log=log)


def serve_in_thread(app):
    """Serve a Flask app object from a thread (for tests that need to reach into the same app)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"
