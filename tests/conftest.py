"""Shared fixtures. Every test gets its own user directory and no network credentials."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_DATA = ROOT.parent / "shared" / "data"
# Whisper models assembled from the PyPI packages are large; tests share one cache for them only.
MODELS_CACHE = Path(os.environ.get("SUMMARIZER_TEST_MODELS_DIR", ROOT / ".pytest_cache" / "models"))


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch,
                   request: pytest.FixtureRequest) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SUMMARIZER_HOME", str(home))
    monkeypatch.setenv("SUMMARIZER_MODELS_DIR", str(MODELS_CACHE))
    for var in list(os.environ):
        if var.startswith("OPENAI_") or (var.startswith("SUMMARIZER_") and var not in {
            "SUMMARIZER_HOME", "SUMMARIZER_MODELS_DIR", "SUMMARIZER_TEST_MODELS_DIR"
        }):
            monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    # With the [local] extra installed, a draft without an endpoint would start the local model server:
    # only the tests marked real_model or local_server may; every other test drafts offline.
    if request.node.get_closest_marker("real_model") is None and \
            request.node.get_closest_marker("local_server") is None:
        monkeypatch.setenv("SUMMARIZER_LOCAL_AUTOSTART", "0")
    else:  # these tests may start it (see pytest_configure)
        from summarizer.llm import backend

        monkeypatch.setattr(backend, "local_available", _REAL_LOCAL_AVAILABLE[0])
    return home


_REAL_LOCAL_AVAILABLE: list[object] = []


def _no_local_model(settings: object) -> tuple[bool, str]:
    return False, "tests run without the local model unless marked real_model or local_server"


@pytest.fixture(scope="module")
def allow_local_model() -> object:
    """For module-scoped fixtures of real_model tests, which run before the per-test fixture."""
    from summarizer.llm import backend

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(backend, "local_available", _REAL_LOCAL_AVAILABLE[0])
        mp.delenv("SUMMARIZER_LOCAL_AUTOSTART", raising=False)
        yield None


def pytest_configure(config: pytest.Config) -> None:
    # Before any fixture, module- and session-scoped ones included (they draft with plain Settings()):
    # with the [local] extra installed an unmarked test must never start the local model server.
    from summarizer.llm import backend

    _REAL_LOCAL_AVAILABLE.append(backend.local_available)
    backend.local_available = _no_local_model  # type: ignore[assignment]
    os.environ["SUMMARIZER_LOCAL_AUTOSTART"] = "0"  # for subprocesses started by such fixtures


@pytest.fixture
def samples() -> Path:
    return SAMPLES


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present on this machine")
    return SHARED_DATA
