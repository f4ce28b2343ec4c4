"""Speech recognition on an OpenAI-compatible server (/v1/audio/transcriptions, verbose_json segments),
against a server the test starts on 127.0.0.1: real Whisper behind it, or scripted faults."""

from __future__ import annotations

from pathlib import Path

import pytest
from whisper_server import WhisperServer

from summarizer.config import load_settings
from summarizer.errors import TranscriptionError
from summarizer.speech.transcribe import transcribe_file

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "samples" / "meeting_en.wav"


@pytest.mark.slow
def test_real_whisper_server_gives_segments_with_timestamps_and_is_cached() -> None:
    if not RECORDING.exists():
        pytest.skip("samples/meeting_en.wav is not generated on this machine")
    with WhisperServer() as server:
        settings = load_settings(overrides={"asr_base_url": server.base_url, "asr_model": "base",
                                            "llm_max_retries": 0})
        transcript = transcribe_file(RECORDING, settings, language="en")
        assert len(server.requests) == 1
        fields = server.requests[0]["fields"]
        assert server.requests[0]["path"] == "/v1/audio/transcriptions"
        assert fields["response_format"] == ["verbose_json"] and fields["model"] == ["base"]
        assert fields["timestamp_granularities[]"] == ["segment"]
        assert server.requests[0]["audio_bytes"] == RECORDING.stat().st_size
        assert transcript.language == "en" and transcript.meta["engine"] == "remote"
        assert len(transcript.segments) > 3
        assert all(s.start is not None and s.end is not None and s.end >= s.start
                   for s in transcript.segments)
        assert transcript.segments[-1].end and transcript.segments[-1].end > 10
        assert "contract" in transcript.text.lower()
        again = transcribe_file(RECORDING, settings, language="en")  # cached by content hash + server
        assert len(server.requests) == 1 and again.segments == transcript.segments


@pytest.mark.parametrize(("status", "body", "expected"), [
    (200, {"text": "hello there"}, "returned no segments with timestamps"),
    (500, {"error": {"message": "model exploded"}}, "answered HTTP 500"),
    (200, {"segments": [{"start": 5.0, "end": 1.0, "text": "back"}]}, "unusable segments"),
    (401, {"error": {"message": "bad key"}}, "answered HTTP 401"),
])
def test_server_faults_name_the_file_and_the_endpoint(tmp_path: Path, status: int, body: object,
                                                      expected: str) -> None:
    audio = tmp_path / "call.wav"
    audio.write_bytes(b"RIFF" + b"\0" * 400)
    with WhisperServer("script", status=status, body=body) as server:
        settings = load_settings(overrides={"asr_base_url": server.base_url, "llm_max_retries": 0})
        with pytest.raises(TranscriptionError, match=expected) as info:
            transcribe_file(audio, settings)
    message = info.value.message
    assert str(audio) in message and f"{server.base_url}/audio/transcriptions" in message


def test_unreachable_server_is_a_clear_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    audio = tmp_path / "call.wav"
    audio.write_bytes(b"RIFF" + b"\0" * 400)
    settings = load_settings(overrides={"asr_base_url": f"http://127.0.0.1:{port}/v1", "llm_max_retries": 0})
    with pytest.raises(TranscriptionError, match="reachable"):
        transcribe_file(audio, settings)
