"""Team jobs on Procrastinate with real worker processes and a real PostgreSQL: stage queues, failures."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pg_support import pg_cluster, pg_url  # noqa: F401  (fixtures)
from team_support import WorkerProc, submit, team_env, wait_job

from summarizer.config import load_settings
from summarizer.errors import ConfigError
from summarizer.jobs import table
from summarizer.jobs.worker import check_queues
from summarizer.store.database import Store

ROOT = Path(__file__).resolve().parent.parent
TRANSCRIPT = ROOT / "samples" / "transcripts" / "negotiation_en.txt"


def _job(pg_url: str, job_id: str) -> table.TeamJob:  # noqa: F811
    with Store(load_settings(overrides={"database_url": pg_url})) as store:
        return table.get(store, job_id)


def test_a_worker_takes_only_its_queues(pg_url: str) -> None:  # noqa: F811
    env = team_env(pg_url)
    gpu = WorkerProc(env, "--queue", "transcription", "--name", "gpu")
    cpu = None
    try:
        gpu.wait_for("worker ready on queues: transcription")
        job = submit(env, TRANSCRIPT, "--date", "2026-11-26", "--client", "Fabrikam")
        time.sleep(4)  # a transcript needs no transcription: the GPU worker must leave it alone
        waiting = _job(pg_url, job["job"])
        assert (waiting.status, waiting.stage, waiting.attempts) == ("queued", "queued", 0)
        cpu = WorkerProc(env, "--queue", "extraction", "--queue", "rendering", "--name", "cpu")
        done = wait_job(env, job["job"])
        assert done.status == "done" and done.meeting_id == "2026-11-26-fabrikam", done.log
        assert all(str(cpu.proc.pid) in line for line in done.log if "(attempt" in line)
    finally:
        gpu.stop()
        if cpu:
            cpu.stop()


def test_bad_input_fails_at_once_with_the_reason(pg_url: str, tmp_path: Path) -> None:  # noqa: F811
    env = team_env(pg_url)
    bad = tmp_path / "minutes.txt"
    bad.write_bytes(b"\x00\x01\x02 not a transcript \xff\xfe" * 20)
    worker = WorkerProc(env)
    try:
        worker.wait_for("worker ready")
        job = submit(env, bad, "--date", "2026-11-27")
        failed = wait_job(env, job["job"], status="failed")
        assert failed.status == "failed" and "minutes.txt" in (failed.error or ""), failed
        assert failed.attempts == 1  # not retried: running again cannot fix the input
        with Store(load_settings(overrides={"database_url": pg_url})) as store:
            assert store.list_meetings() == []
    finally:
        worker.stop()


def test_unknown_queue_and_sqlite_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from summarizer.jobs.tasks import make_app

    with pytest.raises(ConfigError, match="unknown queue"):
        check_queues(["gpu"])
    with pytest.raises(ConfigError, match="PostgreSQL"):
        make_app(load_settings())


def test_web_app_queues_drafts_for_workers_and_shows_their_progress(
    pg_url: str, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    from web_support import make_draft, web_client

    monkeypatch.setenv("SUMMARIZER_DATABASE_URL", pg_url)
    worker = WorkerProc(team_env(pg_url), "--name", "office")
    try:
        worker.wait_for("worker ready")
        for c in web_client():
            meeting_id = make_draft(c)
            assert meeting_id == "2026-03-02-contoso"
            page = c.get(f"/m/{meeting_id}")
            assert page.status_code == 200 and "Contoso" in page.text
            with Store(load_settings()) as store:
                (job,) = table.list_jobs(store)
            status = c.get(f"/jobs/{job.id}/status").json()
            assert status["status"] == "done" and status["meeting_id"] == meeting_id
            assert any("Extracting the protocol" in line for line in status["log"])
            assert any("Rendering the draft" in line for line in status["log"])
    finally:
        worker.stop()


def test_serve_team_is_one_command_for_web_and_workers(pg_url: str) -> None:  # noqa: F811
    import signal
    import subprocess

    import httpx
    from pg_support import free_port
    from team_support import SUMMARIZER

    env = team_env(pg_url)
    port = free_port()
    proc = subprocess.Popen([str(SUMMARIZER), "serve-team", "--port", str(port), "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        job = submit(env, TRANSCRIPT, "--date", "2026-11-28", "--client", "Serve")
        assert wait_job(env, job["job"]).status == "done"
        status = httpx.get(f"http://127.0.0.1:{port}/jobs/{job['job']}/status", timeout=10).json()
        assert status["status"] == "done" and status["meeting_id"] == "2026-11-28-serve"
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out


def test_serve_team_refuses_sqlite() -> None:
    import subprocess

    from team_support import SUMMARIZER

    run = subprocess.run([str(SUMMARIZER), "serve-team"], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "PostgreSQL" in run.stderr


def test_a_failing_endpoint_is_retried_with_backoff_then_reported(pg_url: str) -> None:  # noqa: F811
    from fake_openai import FakeOpenAI

    with FakeOpenAI() as llm:  # nothing scripted: every request is answered with an error
        env = team_env(pg_url, SUMMARIZER_BASE_URL=llm.base_url, SUMMARIZER_LLM_MODEL="fake",
                       SUMMARIZER_API_KEY="test", SUMMARIZER_LLM_MAX_RETRIES="0",
                       SUMMARIZER_JOB_MAX_ATTEMPTS="3", SUMMARIZER_JOB_BACKOFF="2")
        worker = WorkerProc(env)
        try:
            worker.wait_for("worker ready")
            started = time.monotonic()
            job = submit(env, TRANSCRIPT, "--date", "2026-11-29", "--client", "Retry")
            failed = wait_job(env, job["job"], status="failed", timeout=180)
            elapsed = time.monotonic() - started
        finally:
            worker.stop()
    assert failed.status == "failed" and failed.attempts == 3, failed.log
    retries = [line for line in failed.log if "retrying in" in line]
    assert len(retries) == 2 and "retrying in 4 s" in retries[0] and "retrying in 8 s" in retries[1]
    # waits of 4 then 8 s; the queue polls on its own clock, so a job may start a little early
    assert elapsed >= 10  # the backoff was waited, not skipped
    assert llm.base_url in (failed.error or "") or "fake" in (failed.error or ""), failed.error
    with Store(load_settings(overrides={"database_url": pg_url})) as store:
        assert store.list_meetings() == []


@pytest.mark.slow
def test_a_recording_goes_through_all_four_queues_on_two_workers(pg_url: str) -> None:  # noqa: F811
    recording = ROOT / "samples" / "meeting_en.wav"
    if not recording.exists():
        pytest.skip("samples/meeting_en.wav is not generated on this machine")
    env = team_env(pg_url)
    gpu = WorkerProc(env, "-q", "transcription", "--name", "gpu")
    cpu = WorkerProc(env, "-q", "speakers", "-q", "extraction", "-q", "rendering", "--name", "cpu")
    try:
        gpu.wait_for("worker ready")
        cpu.wait_for("worker ready")
        job = submit(env, recording, "--date", "2026-11-25", "--client", "Contoso")
        done = wait_job(env, job["job"], timeout=900)
        assert done.status == "done", done.log
        runs = {line.split(" (attempt")[0].split(" ", 1)[1]: line for line in done.log if "(attempt" in line}
        assert str(gpu.proc.pid) in runs["Transcribing the recording"]
        for stage in ("Telling the speakers apart", "Extracting the protocol", "Rendering the draft"):
            assert str(cpu.proc.pid) in runs[stage], done.log
        with Store(load_settings(overrides={"database_url": pg_url})) as store:
            meeting = store.get_meeting(job["meeting"])
            protocol = store.get_version(meeting.id, 1).protocol
        assert meeting.source_sha256 and protocol.items()
    finally:
        gpu.stop()
        cpu.stop()
