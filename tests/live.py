"""Run a real server in a subprocess, for browser tests and benchmarks.

Plain functions and context managers with no pytest imports, so scripts under
`bench/` can use them too. Output goes to a temporary file (a pipe could fill up and
stall the server); when a server dies before it is ready, that output is in the error.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

BIN = Path(sys.executable).parent
CIRCLES = str(BIN / "circles")
PROJECT_ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT = 60.0  # a loaded machine can take a while to import the models


class ServerFailed(RuntimeError):
    """The server exited or never answered its readiness check."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class LiveServer:
    """A server subprocess listening on 127.0.0.1:port."""

    process: subprocess.Popen[bytes]
    port: int
    log: IO[bytes]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def kill(self) -> str:
        """SIGKILL, as an out-of-memory kill or a crash would: no shutdown handler runs.

        Returns what the server wrote before it died.
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(START_TIMEOUT)
        output = self.output()
        self.log.close()
        return output

    def stop(self, grace: float = 5.0) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(grace)
        self.log.close()


def circles_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment for a `circles` subprocess against this database."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("CIRCLES_") or key == "CIRCLES_PROJECT_ROOT"
    }
    # The `circles` script may belong to another checkout's virtualenv (an editable
    # install elsewhere): put this checkout first, so the server runs the code under test.
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(PROJECT_ROOT), env.get("PYTHONPATH", "")) if part
    )
    env.update(
        CIRCLES_DATABASE_URL=database_url,
        CIRCLES_ENV="development",
        CIRCLES_SECRET_KEY=secrets.token_hex(32),
        # Every member a test or benchmark registers comes from 127.0.0.1; the tests of
        # that limit set their own.
        CIRCLES_REGISTER_RATE_BURST="1000",
        # Mail a server sends (no SMTP host) goes to a folder outside the work tree.
        CIRCLES_MAIL_OUTBOX=str(Path(tempfile.gettempdir()) / "circles-test-outbox"),
    )
    env.update(extra)
    return env


def migrate(env: Mapping[str, str]) -> None:
    result = subprocess.run(
        [CIRCLES, "migrate"], env=dict(env), capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise ServerFailed(f"circles migrate failed:\n{result.stdout}{result.stderr}")


def wait_until_ready(server: LiveServer, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    last_error = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise ServerFailed(
                f"server exited with status {server.process.returncode} before it was ready:\n"
                + server.output()
            )
        try:
            with urllib.request.urlopen(server.base_url + path, timeout=2) as response:
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as exc:
            last_error = f"status {exc.code}"
        except OSError as exc:  # not listening yet
            last_error = str(exc)
        time.sleep(0.1)
    raise ServerFailed(
        f"server did not answer {path} with 200 within {timeout:.0f}s ({last_error}):\n"
        + server.output()
    )


def start(
    argv: Sequence[str],
    env: Mapping[str, str],
    port: int,
    ready_path: str = "/healthz",
    timeout: float = START_TIMEOUT,
) -> LiveServer:
    """Start `argv` (which must listen on `port`) and wait until `ready_path` gives 200."""
    log = tempfile.TemporaryFile()  # noqa: SIM115 (the LiveServer owns and closes it)
    process = subprocess.Popen(
        list(argv), env=dict(env), stdout=log, stderr=subprocess.STDOUT, cwd=PROJECT_ROOT
    )
    server = LiveServer(process, port, log)
    try:
        wait_until_ready(server, ready_path, timeout)
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def running(
    argv: Sequence[str],
    env: Mapping[str, str],
    port: int,
    ready_path: str = "/healthz",
    timeout: float = START_TIMEOUT,
) -> Iterator[LiveServer]:
    server = start(argv, env, port, ready_path, timeout)
    try:
        yield server
    finally:
        server.stop()


def _serve_argv(port: int, command: Sequence[str] | None) -> list[str]:
    if command is None:
        return [CIRCLES, "serve", "--host", "127.0.0.1", "--port", str(port)]
    return [arg.format(port=port) for arg in command]


@contextmanager
def circles_server(
    database_url: str,
    command: Sequence[str] | None = None,
    *,
    timeout: float = START_TIMEOUT,
    **extra_env: str,
) -> Iterator[LiveServer]:
    """Migrate the database, then run `circles serve` (or `command`) on a free port.

    `command` replaces `circles serve`; `{port}` in its arguments is filled in.
    """
    env = circles_env(database_url, **extra_env)
    migrate(env)
    port = free_port()
    with running(_serve_argv(port, command), env, port, timeout=timeout) as server:
        yield server


@dataclass
class Restartable:
    """A server that can be killed and started again on the same port and database."""

    argv: list[str]
    env: dict[str, str]
    port: int
    # Starting again is the point here, and the load that comes with it slows each start.
    timeout: float = 2 * START_TIMEOUT
    server: LiveServer | None = None
    # What each earlier run wrote before it was killed, oldest first.
    earlier_output: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        if self.server is not None:
            raise ServerFailed("the server is already running; kill it first")
        self.server = start(self.argv, self.env, self.port, timeout=self.timeout)
        return self.server

    def kill(self) -> None:
        """SIGKILL the running server (see LiveServer.kill); start() brings it back."""
        if self.server is not None:
            self.earlier_output.append(self.server.kill())
            self.server = None

    def output(self) -> str:
        """Every run's output, for a failure message."""
        current = [] if self.server is None else [self.server.output()]
        runs = [*self.earlier_output, *current]
        return "\n".join(f"--- run {n} ---\n{text}" for n, text in enumerate(runs, 1))

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None


@contextmanager
def restartable_server(
    database_url: str, command: Sequence[str] | None = None, **extra_env: str
) -> Iterator[Restartable]:
    """Like `circles_server`, but the test may kill the server and start it again."""
    env = circles_env(database_url, **extra_env)
    migrate(env)
    port = free_port()
    restartable = Restartable(_serve_argv(port, command), env, port)
    restartable.start()
    try:
        yield restartable
    finally:
        restartable.stop()
