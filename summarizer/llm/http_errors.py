"""Reading what an OpenAI-compatible server says when it refuses: the message, Retry-After, and whether it
is about the context size or the response_format (servers word both differently)."""

from __future__ import annotations

import email.utils
import re
import time
from typing import Any

_CONTEXT_RE = re.compile(
    r"context length|context window|maximum context|too many tokens|context_length"
    r"|exceeds the available context size|exceed_context_size",  # llama.cpp's llama-server
    re.I,
)
# How servers say they cannot do the response_format asked for, whatever the status code
# (llama-cpp-python: HTTP 500 "Input should be 'text' or 'json_object'").
_FORMAT_RE = re.compile(
    r"response_format|json_schema|json_object|'text' or|structured output|grammar", re.I
)


def _is_loopback(url: str) -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _error_text(exc: Any) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])
        if isinstance(inner, str):
            return inner
    return str(getattr(exc, "message", None) or exc)


def _retry_after(headers: Any) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``retry-after`` (seconds or an HTTP date)."""
    if headers is None:
        return None
    try:
        ms = headers.get("retry-after-ms")
        if ms is not None:
            return float(ms) / 1000
    except (TypeError, ValueError):
        pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())
