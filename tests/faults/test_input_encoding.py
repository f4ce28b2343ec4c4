"""Issue 9 items 11-12: mixed encodings and the size limit, on real files read by the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.errors import InputError
from summarizer.ingest.read import read_transcript

UTF8_LINE = "Ольга Смирнова: Добрый день, коллеги, начнём с поставки."
CP1251_LINE = "Андрей Козлов: Здравствуйте, мы готовы обсудить сроки поставки."


def _mixed(path: Path) -> Path:
    path.write_bytes(UTF8_LINE.encode("utf-8") + b"\n" + CP1251_LINE.encode("cp1251") + b"\n")
    return path


def test_mixed_utf8_and_cp1251_lines_are_decoded_line_by_line(tmp_path: Path) -> None:
    transcript = read_transcript(_mixed(tmp_path / "mixed.txt"))
    texts = [s.text for s in transcript.segments]
    speakers = [s.speaker for s in transcript.segments]
    # before: the whole file went through cp1251 and the UTF-8 line became "РћР»СЊРіР°…" with no speaker
    assert speakers == ["Ольга Смирнова", "Андрей Козлов"], speakers
    assert "Добрый день, коллеги" in texts[0] and "Р»" not in texts[0]
    assert "готовы обсудить сроки" in texts[1]
    assert transcript.meta["encoding"] == "utf-8+cp1251"
    assert transcript.meta["cp1251_lines"] == [2]


def test_mixed_file_with_an_undecodable_line_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "bad.txt"
    # line 3 is Latin-1 German: neither UTF-8 nor Russian in Windows-1251
    path.write_bytes(UTF8_LINE.encode("utf-8") + b"\nAnna: ok\nHans: Gr\xfc\xdfe aus M\xfcnchen\n")
    with pytest.raises(InputError) as caught:
        read_transcript(path)
    assert caught.value.line == 3
    assert "line 3" in str(caught.value) and str(path) in str(caught.value)


def test_whole_cp1251_file_still_reads_as_before(samples: Path) -> None:
    transcript = read_transcript(samples / "transcripts" / "negotiation_ru_cp1251.txt")
    assert transcript.meta["encoding"] == "cp1251"
    assert "cp1251_lines" not in transcript.meta


def test_size_limit_message_gives_both_sizes_exactly(tmp_path: Path) -> None:
    limit = 5_000_000
    path = tmp_path / "big.txt"
    path.write_bytes(b"A: x\n" * 4 + b"y" * (limit + 1 - 20))
    assert path.stat().st_size == limit + 1
    proc = subprocess.run([sys.executable, "-m", "summarizer", "extract", str(path)],
                          capture_output=True, text=True, check=False)
    assert proc.returncode != 0
    # before: "(50.0 MB; the limit is 50.0 MB)" for a file one byte over
    assert "5,000,001 bytes (5.0 MB)" in proc.stderr and "the limit is 5,000,000 bytes" in proc.stderr, \
        proc.stderr
    assert str(path) in proc.stderr
