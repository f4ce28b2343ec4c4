"""Whisper weight resolution: the split base model is joined once and atomically; bad names explain."""

from __future__ import annotations

import json
import multiprocessing
import os
from pathlib import Path
from typing import BinaryIO

import pytest

from summarizer.errors import ModelNotFoundError
from summarizer.speech import models
from summarizer.speech.models import assemble_base, resolve_model


def _expected_size() -> int:
    parts, _ = models._base_sources()
    return sum(p.stat().st_size for p in parts)


def test_base_is_assembled_from_both_packages(tmp_path: Path) -> None:
    target = assemble_base(tmp_path)
    assert target == tmp_path / "base"
    assert (target / "model.bin").stat().st_size == _expected_size()
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        assert (target / name).is_file()
    manifest = json.loads((target / "summarizer-assembled.json").read_text())
    assert manifest["model_bin_size"] == _expected_size()
    assert len(manifest["model_bin_sha256"]) == 64
    # the join really is part1 followed by part2
    parts, _ = models._base_sources()
    with (target / "model.bin").open("rb") as joined:
        joined.seek(parts[0].stat().st_size)
        with parts[1].open("rb") as second:
            assert joined.read(4096) == second.read(4096)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".base-")]


def test_assembled_base_is_reused_not_rewritten(tmp_path: Path) -> None:
    target = assemble_base(tmp_path)
    mtime = (target / "model.bin").stat().st_mtime_ns
    assert assemble_base(tmp_path) == target
    assert (target / "model.bin").stat().st_mtime_ns == mtime


def test_half_written_base_is_replaced(tmp_path: Path) -> None:
    # what a crash mid-copy by an older, non-atomic version could leave behind
    broken = tmp_path / "base"
    broken.mkdir()
    (broken / "model.bin").write_bytes(b"\0" * 1000)
    (broken / "config.json").write_text("{}")
    target = assemble_base(tmp_path)
    assert (target / "model.bin").stat().st_size == _expected_size()


def test_copy_failure_leaves_no_model_that_looks_complete(tmp_path: Path, monkeypatch) -> None:
    def fail(parts: list[Path], out: BinaryIO) -> str:
        out.write(b"partial")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(models, "write_joined", fail)
    with pytest.raises(ModelNotFoundError, match="No space left"):
        assemble_base(tmp_path)
    assert not (tmp_path / "base").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".base-")]


def _assemble_in_child(folder: str) -> None:
    assemble_base(Path(folder))


def test_concurrent_processes_assemble_one_good_copy(tmp_path: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_assemble_in_child, args=(str(tmp_path),)) for _ in range(3)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(120)
        assert proc.exitcode == 0
    assert (tmp_path / "base" / "model.bin").stat().st_size == _expected_size()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".base.lock", "base"]


def test_resolve_bundled_models(tmp_path: Path) -> None:
    base = resolve_model("base", tmp_path)
    assert base.multilingual and base.identity.startswith("base:")
    tiny = resolve_model("tiny.en", tmp_path)
    assert not tiny.multilingual
    assert (Path(tiny.path) / "model.bin").is_file()
    assert resolve_model(None, tmp_path).name == "base"


def test_local_ctranslate2_directory_is_accepted(tmp_path: Path) -> None:
    tiny_dir = resolve_model("tiny.en", tmp_path).path
    ref = resolve_model(tiny_dir, tmp_path)
    assert ref.path == str(Path(tiny_dir).resolve())
    assert ref.identity.startswith("dir:") and not ref.multilingual


@pytest.mark.parametrize("name", ["small", "large-v3", "Systran/faster-whisper-medium", "no-such-model"])
def test_unavailable_model_names_the_bundled_ones(tmp_path: Path, monkeypatch, name: str) -> None:
    # an empty Hugging Face cache: nothing a developer downloaded earlier may satisfy the lookup
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hfhome"))
    with pytest.raises(ModelNotFoundError) as info:
        resolve_model(name, tmp_path)
    assert name in info.value.message
    assert info.value.hint and "base" in info.value.hint and "tiny.en" in info.value.hint


def test_directory_without_weights_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "mymodel"
    empty.mkdir()
    with pytest.raises(ModelNotFoundError, match="model.bin"):
        resolve_model(str(empty), tmp_path)
    with pytest.raises(ModelNotFoundError, match="no such directory"):
        resolve_model(str(tmp_path / "missing" / "model"), tmp_path)


def test_cpu_defaults() -> None:
    assert models.pick_compute_type("cpu", "default") == "int8"
    assert models.pick_compute_type("cuda", "default") == "float16"
    assert models.pick_compute_type("cpu", "float32") == "float32"
    assert 1 <= models.cpu_threads() <= (os.cpu_count() or 1)
