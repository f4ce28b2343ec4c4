"""A throwaway PostgreSQL cluster for the team tests: initdb into a temp dir, started on a free port.

Import the fixtures into a test module (``from pg_support import pg_cluster, pg_url  # noqa: F401``).
The cluster lives for the test session; each test gets a fresh database in it. When the PostgreSQL
binaries are absent the tests skip and say so (``.ci/run`` installs the Debian package). As root the
cluster runs as the ``postgres`` system user, because PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PG_BIN_CANDIDATES = [Path(os.environ.get("SUMMARIZER_TEST_PG_BIN", "")), *sorted(
    Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)]


def pg_bin() -> Path | None:
    for cand in PG_BIN_CANDIDATES:
        if str(cand) and (cand / "initdb").exists() and (cand / "pg_ctl").exists():
            return cand
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    bin: Path
    dir: Path
    port: int
    run_as: list[str]

    def url(self, db: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{db}"

    def psql(self, sql: str, db: str = "postgres") -> str:
        out = subprocess.run(
            [str(self.bin / "psql"), "-X", "-q", "-At", "-h", "127.0.0.1", "-p", str(self.port),
             "-U", "postgres", "-d", db, "-c", sql],
            check=True, capture_output=True, text=True,
        )
        return out.stdout.strip()


def start_cluster(base: Path) -> Cluster:
    binary = pg_bin()
    if binary is None:
        pytest.skip("PostgreSQL binaries (initdb, pg_ctl) not found: apt-get install postgresql "
                    "(or set SUMMARIZER_TEST_PG_BIN)")
    run_as: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            pytest.skip("running as root and `runuser` is missing: cannot start PostgreSQL as non-root")
        run_as = ["runuser", "-u", "postgres", "--"]
        base.chmod(0o777)
    data = base / "data"
    data.mkdir()
    if run_as:
        shutil.chown(data, "postgres", "postgres")
    subprocess.run([*run_as, str(binary / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                    "-E", "UTF8", "--no-sync", "--locale=C.UTF-8"], check=True, capture_output=True)
    port = free_port()
    opts = (f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={base} "
            "-c fsync=off -c max_connections=200 -c shared_buffers=32MB")
    subprocess.run([*run_as, str(binary / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", opts,
                    "-w", "-t", "60", "start"], check=True, capture_output=True)
    cluster = Cluster(binary, base, port, run_as)
    deadline = time.monotonic() + 30
    while True:
        try:
            cluster.psql("SELECT 1")
            return cluster
        except subprocess.CalledProcessError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def stop_cluster(cluster: Cluster) -> None:
    subprocess.run([*cluster.run_as, str(cluster.bin / "pg_ctl"), "-D", str(cluster.dir / "data"),
                    "-m", "immediate", "-w", "stop"], capture_output=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    base = Path(tempfile.mkdtemp(prefix="summarizer-pg-"))
    cluster = start_cluster(base)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> str:
    """A fresh, empty database for one test."""
    name = "t_" + uuid.uuid4().hex[:12]
    pg_cluster.psql(f"CREATE DATABASE {name}")
    return pg_cluster.url(name)
