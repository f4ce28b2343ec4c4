"""Two real workers share the queue; the one running the extraction is SIGKILLed right after it stored
the meeting. The other worker notices the silent heartbeat, runs the stage again and finishes the
draft: one meeting, one version 1, rendered files, nothing lost."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)
from team_support import WorkerProc, submit, team_env, wait_job

from summarizer.config import load_settings
from summarizer.store.database import Store

ROOT = Path(__file__).resolve().parents[2]


def test_worker_killed_mid_task_loses_nothing_and_makes_no_second_meeting(pg_url: str) -> None:  # noqa: F811
    env = team_env(pg_url, SUMMARIZER_TEST_JOB_PAUSE="extract:300")
    workers = [WorkerProc(env, "--name", "w1"), WorkerProc(env, "--name", "w2")]
    try:
        for w in workers:
            w.wait_for("worker ready")
        transcript = ROOT / "samples" / "transcripts" / "negotiation_en.txt"
        job = submit(env, transcript, "--date", "2026-11-25", "--client", "Contoso")
        assert job["new"] and job["meeting"] == "2026-11-25-contoso"
        again = submit(env, transcript, "--date", "2026-11-25", "--client", "Contoso")
        assert again == {**job, "new": False}  # the same input and options: the same job

        paused = None
        deadline = time.monotonic() + 120
        while paused is None:
            paused = next((w for w in workers if w.saw(f"paused extract {job['job']}")), None)
            assert time.monotonic() < deadline, [w.seen for w in workers]
            time.sleep(0.2)
        settings = load_settings(overrides={"database_url": pg_url})
        with Store(settings) as store:  # the kill comes after the meeting was committed: the worst case
            assert [m.id for m in store.list_meetings()] == [job["meeting"]]
        os.kill(paused.proc.pid, signal.SIGKILL)
        paused.proc.wait()

        done = wait_job(env, job["job"], timeout=120)
        assert done.status == "done", done.log
        runs = [line for line in done.log if "Extracting the protocol (attempt" in line]
        assert len(runs) == 2, done.log
        survivor = next(w for w in workers if w is not paused)
        assert str(survivor.proc.pid) in runs[1] and str(paused.proc.pid) in runs[0]
        with Store(settings) as store:
            meetings = store.list_meetings()
            assert [m.id for m in meetings] == [job["meeting"]]
            assert [v.number for v in store.list_versions(job["meeting"])] == [1]
            folder = meetings[0].folder
        assert sorted(p.suffix for p in (folder / "drafts" / "v001").iterdir()) == [".docx", ".html", ".md"]
        import psycopg

        with psycopg.connect(pg_url) as db:
            states = db.execute("SELECT task_name, status FROM procrastinate_jobs ORDER BY id").fetchall()
        assert states == [("summarizer.extract", "succeeded"), ("summarizer.render", "succeeded")]
    finally:
        for w in workers:
            w.stop()
