"""A throwaway PostgreSQL cluster that a test may stop and start again on the same port.

The same steps as scripts/with-postgres.sh (initdb, pg_ctl, fsync off), but owned by one
test module, so that stopping it takes nothing else down.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.live import free_port


class ClusterFailed(RuntimeError):
    """initdb or pg_ctl failed; the server's log is in the message."""


def _binary(name: str) -> str | None:
    # Debian keeps the server binaries out of PATH.
    for found in [shutil.which(name), *sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))]:
        if found:
            return found
    return None


def server_binaries() -> tuple[str, str] | None:
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    return (initdb, pg_ctl) if initdb and pg_ctl else None


@dataclass
class Cluster:
    directory: Path
    port: int
    pg_ctl: str
    as_postgres: list[str]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://circles@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        command = [*self.as_postgres, self.pg_ctl, "-D", str(self.directory / "data"), *args]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            log = (self.directory / "server.log").read_text(errors="replace")[-3000:]
            raise ClusterFailed(f"{' '.join(args)}: {result.stdout}{result.stderr}\n{log}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            " -c max_connections=100"
        )
        self._ctl("-l", str(self.directory / "server.log"), "-w", "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "stop")

    def remove(self) -> None:
        with contextlib.suppress(ClusterFailed):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.directory, ignore_errors=True)


def make_cluster(initdb: str, pg_ctl: str) -> Cluster:
    """A new cluster (superuser `circles`, trust authentication), started on a free port."""
    directory = Path(tempfile.mkdtemp(prefix="circles-outage-"))
    as_postgres: list[str] = []
    if os.getuid() == 0:
        # PostgreSQL refuses to run as root.
        shutil.chown(directory, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    command = [
        *as_postgres,
        initdb,
        "-D",
        str(directory / "data"),
        "-U",
        "circles",
        "-A",
        "trust",
        "--no-sync",
        "-E",
        "UTF8",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise ClusterFailed(f"initdb: {result.stdout}{result.stderr}")
    cluster = Cluster(directory, free_port(), pg_ctl, as_postgres)
    try:
        cluster.start()
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return cluster
