"""Issue 11 item 15: every long stage reports a percentage and a time estimate."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from summarizer.commands import transcribe as cmd
from summarizer.commands.transcribe import StageProgress, estimate_remaining
from summarizer.config import load_settings
from summarizer.pipeline import run_draft


def test_estimate_from_pace_so_far() -> None:
    assert estimate_remaining(0.25, 30.0) == pytest.approx(90.0)
    assert estimate_remaining(0.01, 30.0) is None  # too early to say
    assert estimate_remaining(1.0, 30.0) is None


def test_lines_with_percentage_and_estimate_in_a_log(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([0.0, 10.0, 10.5, 20.0, 40.0, 41.0, 41.0])
    monkeypatch.setattr(cmd.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    report = StageProgress(out, live=False)
    report("transcribe", 0.0)
    report("transcribe", 0.25)
    report("transcribe", 0.26)  # same 10 % step, 0.5 s later: not repeated in a log
    report("transcribe", 0.5)
    report("transcribe", 1.0)
    report("diarize", None)
    lines = out.getvalue().splitlines()
    assert lines[0] == "Transcribing..."
    assert "Transcribing:  25%, about 00:30 left" in lines
    assert "Transcribing:  50%, about 00:20 left" in lines
    assert "Transcribing: 100% in 00:40" in lines
    assert not any("26%" in line for line in lines)
    assert lines[-1] == "Separating speakers..."


def test_pipeline_reports_each_stage_with_fractions(samples: Path) -> None:
    seen: list[tuple[str, float | None]] = []
    run_draft(samples / "transcripts" / "negotiation_en.txt", load_settings(),
              progress=lambda stage, fraction: seen.append((stage, fraction)))
    stages = [s for s, _ in seen]
    assert stages.index("read") < stages.index("extract") < stages.index("render")
    assert ("extract", 1.0) in seen  # the extractor's own report, not only "started"


@pytest.mark.slow
def test_diarisation_reports_segments_done(samples: Path) -> None:
    from summarizer.speech.diarize import diarization_available, diarize_transcript
    from summarizer.transcript import Segment, Transcript

    if not diarization_available():
        pytest.skip("the diarize extra is not installed")
    transcript = Transcript(segments=[
        Segment(id=f"s{i:04d}", text="words", start=i * 3.0, end=i * 3.0 + 2.5) for i in range(6)])
    seen: list[tuple[float, float]] = []
    diarize_transcript(transcript, samples / "voices_en.wav", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_web_job_reports_the_time_left(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The job page shows what the CLI shows: the stage's time left at its pace so far."""
    import json

    from summarizer.config import Settings
    from summarizer.web import jobs

    runner = jobs.JobRunner(Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache"), {})
    job = jobs.Job(id="abc123", kind="draft", params={})
    clock = [100.0]
    monkeypatch.setattr(jobs.time, "monotonic", lambda: clock[0])
    report = jobs.Reporter(runner, job)
    report.stage("transcribe", "Transcribing the recording", 0.0)
    clock[0] += 60.0
    report.progress(0.25)
    assert job.eta_seconds == 180  # a quarter in a minute: three minutes left
    assert json.loads((tmp_path / "data" / "web" / "jobs" / "abc123.json").read_text())["eta_seconds"] == 180
    report.stage("extract", "Extracting the protocol")
    assert job.eta_seconds is None  # a new stage has no pace yet


def test_web_job_page_shows_the_percentage_and_the_time_left(tmp_path: Path) -> None:
    """Every long stage shows how far it is, as a number, beside the bar and the time left."""
    from starlette.testclient import TestClient

    from summarizer.config import Settings
    from summarizer.web import create_app, jobs

    settings = Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache")
    runner = jobs.JobRunner(settings, {})
    job = jobs.Job(id="abc123", kind="draft", params={}, status="running", stage="diarize",
                   message="Separating speakers", progress=0.42, eta_seconds=180)
    runner.save(job)
    with TestClient(create_app(settings), base_url="http://127.0.0.1:8765") as client:
        page = client.get("/jobs/abc123").text
    assert 'value="42"' in page and '<span id="job-percent">42 %</span>' in page
    assert "About 3 min left" in page
