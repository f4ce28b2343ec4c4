"""Issue 11 item 17: one vocabulary in every command, help texts that say what is valid."""

from __future__ import annotations

import re

from typer.testing import CliRunner

from summarizer.cli import app


def _help(command: str) -> str:
    result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    return re.sub(r"\s+", " ", result.output)


def test_count_is_num_speakers_and_roster_is_speaker_everywhere() -> None:
    for command in ("draft", "transcribe"):
        text = _help(command)
        assert "--num-speakers" in text and "--speaker " in text and "--roster" in text, command
        # the old spellings are accepted but no longer offered
        assert "--speakers" not in text, command


def test_transcribe_help_says_plain_decoding_is_the_default() -> None:
    text = _help("transcribe")
    assert "Default: plain decoding" in text and "(default, faster)" not in text
    assert "txt, srt, vtt" in text  # --format lists its values
    assert "auto (default), cpu or cuda" in text


def test_every_option_has_a_help_text() -> None:
    for command in ("draft", "transcribe"):
        result = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
        for line in result.output.splitlines():
            m = re.match(r"^│\s+(--[\w-]+)(?:,?\s+-\w)?\s+(?:<[^>]+>|\S+)?\s*(.*?)\s*│$", line)
            if m and m.group(1) != "--help":
                assert m.group(2), f"{command} {m.group(1)} has no help text"


def test_draft_accepts_the_old_count_spelling_with_a_warning(tmp_path, samples) -> None:
    result = CliRunner().invoke(app, ["draft", str(samples / "transcripts" / "negotiation_en.txt"),
                                      "--speakers", "3"])
    assert result.exit_code == 0, result.output
    assert "--speakers is deprecated; use --num-speakers" in result.output
