"""What one LLM session keeps: usage counts, and the structured-output mode remembered per endpoint+model."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.config import Settings
from summarizer.schema import Usage
from summarizer.store.files import write_atomic

log = logging.getLogger(__name__)

MODES = ("json_schema", "json_object", "text")


@dataclass
class UsageTracker:
    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0

    def add(self, usage: Any) -> None:
        if usage is None:
            return
        self.prompt_tokens += int(getattr(usage, "prompt_tokens", 0) or 0)
        self.completion_tokens += int(getattr(usage, "completion_tokens", 0) or 0)

    def as_dict(self) -> dict[str, int]:
        return {
            "requests": self.requests,
            "prompt_tokens": self.prompt_tokens,
            "completion_tokens": self.completion_tokens,
        }

    def to_usage(self, settings: Settings) -> Usage:
        cost = None
        if settings.price_prompt_per_1k is not None or settings.price_completion_per_1k is not None:
            cost = round(
                self.prompt_tokens / 1000 * (settings.price_prompt_per_1k or 0.0)
                + self.completion_tokens / 1000 * (settings.price_completion_per_1k or 0.0),
                6,
            )
        return Usage(cost=cost, **self.as_dict())


class ModeCache:
    """A small JSON file mapping ``base_url|model`` to the structured-output mode that worked."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, str]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.warning("ignoring unreadable %s (%s)", self.path, exc)
            return {}
        return {k: v for k, v in data.items() if v in MODES} if isinstance(data, dict) else {}

    def get(self, key: str) -> str | None:
        return self._read().get(key)

    def set(self, key: str, mode: str) -> None:
        data = self._read()
        if data.get(key) == mode:
            return
        data[key] = mode
        try:
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True))
        except OSError as exc:  # a read-only cache must not fail an extraction
            log.warning("could not remember the LLM mode in %s (%s)", self.path, exc)
