"""Issue 9 item 15: a user template that runs away is stopped with a clear RenderError.

Real template files in a real templates folder, rendered through ``render_protocol`` (and once
through the CLI), as a company would install them.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import pytest

from summarizer.config import load_settings
from summarizer.errors import RenderError
from summarizer.render.document import render_protocol
from summarizer.schema import MeetingHeader, Protocol


def _render(tmp_path: Path, body: str) -> str:
    folder = tmp_path / "templates"
    folder.mkdir(exist_ok=True)
    (folder / "protocol.md.j2").write_text(body, encoding="utf-8")
    settings = dataclasses.replace(load_settings(), templates_dir=folder)
    protocol = Protocol(language="en", header=MeetingHeader(title="Bounds"))
    return render_protocol(protocol, "md", settings=settings)


@pytest.mark.parametrize(("body", "message"), [
    # before: "unexpected OverflowError" (the sandbox's own range cap, unexplained)
    ("{% for i in range(10**9) %}x{% endfor %}", r"range\(\) of 1,000,000,000 items"),
    # before: ran without end
    ("{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
     r"more than 5,000,000 steps|longer than"),
    ("{{ 'x' * 10**9 }}", "repeating a value"),
    ("{{ 9 ** 99999999 }}", "too large to compute"),  # before: minutes of arithmetic
    ("{% for i in range(90000) %}{{ 'y' * 9000 }}{% endfor %}", "output passed"),
])
def test_runaway_template_is_stopped_with_a_clear_message(tmp_path: Path, body: str, message: str) -> None:
    started = time.monotonic()
    with pytest.raises(RenderError, match=message) as caught:
        _render(tmp_path, body)
    assert "protocol.md.j2" in str(caught.value)
    assert time.monotonic() - started < 60  # stopped, not merely slow


def test_ordinary_loops_still_render(tmp_path: Path) -> None:
    text = _render(tmp_path, "{% for i in range(3) %}{{ i }}{% endfor %} {{ title }} "
                             "{% for k, v in L.items() %}{% if loop.first %}{{ k is string }}{% endif %}"
                             "{% endfor %} {{ 2 ** 10 }} {{ '-' * 3 }}")
    assert text.startswith("012 Bounds True 1024 ---"), text


def test_cli_names_the_template_and_exits_non_zero(tmp_path: Path, samples: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "protocol.md.j2").write_text("{% for i in range(10**9) %}x{% endfor %}", encoding="utf-8")
    env_file = tmp_path / "config.toml"
    env_file.write_text(f'templates_dir = "{folder}"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "summarizer", "draft", str(samples / "transcripts" / "negotiation_en.txt"),
         "--config", str(env_file)],
        capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode != 0
    assert "range() of 1,000,000,000 items" in proc.stderr and "protocol.md.j2" in proc.stderr, proc.stderr
    assert "unexpected" not in proc.stderr
