"""Workers and the web server starting together on an empty database: each creates the schema it
needs, and none may fail. A worker died before it said it was ready with "UniqueViolation: duplicate
key value violates unique constraint pg_type_typname_nsp_index": two processes ran ``CREATE TABLE IF
NOT EXISTS team_jobs`` at the same moment, which PostgreSQL does not serialise. Here the starters
queue behind a migration (the test holds the migration lock until all of them wait for it), so they
reach the schema work together, as processes started by one `docker compose up` do."""

from __future__ import annotations

import subprocess
import sys
import time

import psycopg
from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)

from summarizer.store.postgres import MIGRATE_LOCK_KEY

STARTERS = 6
SCRIPT = """
import sys
from summarizer.config import load_settings
from summarizer.jobs.tasks import ensure_schema, make_app
settings = load_settings(overrides={"database_url": sys.argv[1]})
ensure_schema(make_app(settings), settings)
print("schema ready")
"""


ROUNDS = 4  # the collision needs the same instant; fresh rounds make it near-certain on the old code


def _round(url: str) -> None:
    with psycopg.connect(url, autocommit=True) as lock:
        lock.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK_KEY,))
        procs = [subprocess.Popen([sys.executable, "-c", SCRIPT, url], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for _ in range(STARTERS)]
        deadline = time.monotonic() + 90
        while True:
            row = lock.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                               ).fetchone()
            if row and row[0] >= STARTERS:
                break
            assert time.monotonic() < deadline, "the starters never queued for the migration lock"
            assert all(p.poll() is None for p in procs), [p.communicate()[0] for p in procs]
            time.sleep(0.1)
        lock.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK_KEY,))
        outputs = [p.communicate(timeout=120)[0] for p in procs]
    failed = [out for p, out in zip(procs, outputs, strict=True) if p.returncode != 0]
    assert not failed, failed[0]
    assert all("schema ready" in out for out in outputs)


def test_processes_starting_together_all_get_the_schema(pg_url: str) -> None:  # noqa: F811
    base, name = pg_url.rsplit("/", 1)
    with psycopg.connect(pg_url, autocommit=True) as admin:
        for n in range(1, ROUNDS):
            admin.execute(f"CREATE DATABASE {name}_{n}")
    for n in range(ROUNDS):
        _round(pg_url if n == 0 else f"{base}/{name}_{n}")
