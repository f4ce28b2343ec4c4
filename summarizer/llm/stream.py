"""Reading a chat completion off the wire, and watching the clock while it arrives. No ``openai`` here.

``summarizer.llm.session`` sends the request through the SDK and hands the raw HTTP response to this
module, because what comes back is not always what the SDK expects: a proxy's HTML page with status
200, a body cut off mid-JSON, a server that ignores ``stream: true``, or a reply that trickles in one
byte at a time. Each of those is a :class:`BadReply` (a server fault, retried like a 503), never an
"unexpected error".

The :class:`Watchdog` enforces three limits on one request from a thread of its own, because a
socket read that gets one byte every two seconds never times out by itself:

* a stall limit: no new token for ``stall`` seconds (before the first token a longer wait is allowed,
  since a local model reads the whole prompt before it writes anything);
* the request's total deadline, derived from measured speed and capped by settings;
* the meeting's remaining budget (the session passes the smaller of the two).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.store.files import write_atomic

log = logging.getLogger(__name__)


def seconds(value: float) -> str:
    return f"{value:.0f}" if value >= 10 else f"{value:.1f}"


class BadReply(Exception):
    """The server answered 2xx with something that is not a chat completion."""


@dataclass
class Completion:
    """What we use of one chat completion, streamed or not."""

    content: str | None = None
    finish: str | None = None
    refusal: str | None = None
    has_choice: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    timings: dict[str, Any] | None = None  # llama.cpp's own speed figures, when it sends them
    top_logprobs: list[tuple[str, float]] | None = None  # the first token's alternatives, when asked


def _first_top_logprobs(choice: dict[str, Any]) -> list[tuple[str, float]] | None:
    logprobs = choice.get("logprobs")
    content = logprobs.get("content") if isinstance(logprobs, dict) else None
    if not isinstance(content, list) or not content or not isinstance(content[0], dict):
        return None
    top = content[0].get("top_logprobs")
    if not isinstance(top, list):
        return None
    return [(str(t.get("token", "")), float(t.get("logprob", -100.0))) for t in top if isinstance(t, dict)]


def _snippet(data: bytes | str, limit: int = 120) -> str:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    text = " ".join(text.split())
    return text[:limit] + ("…" if len(text) > limit else "")


def parse_completion_body(data: bytes, content_type: str | None) -> Completion:
    """A non-streamed ``chat.completion`` body; :class:`BadReply` for anything else."""
    kind = (content_type or "unknown type").split(";")[0].strip()
    if not data.strip():
        raise BadReply(f"the reply body is empty ({kind})")
    try:
        body = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        what = "an HTML page" if "html" in kind or data.lstrip()[:1] == b"<" else "not JSON"
        raise BadReply(f"the reply body is {what} ({kind}, {len(data)} bytes: {_snippet(data)!r}; "
                       f"{type(exc).__name__}: {exc})") from exc
    return completion_from_dict(body)


def completion_from_dict(body: Any) -> Completion:
    if not isinstance(body, dict) or not isinstance(body.get("choices"), list):
        raise BadReply(f"the reply is JSON but not a chat completion: {_snippet(json.dumps(body))!r}")
    out = Completion()
    _read_usage(out, body)
    if body["choices"]:
        choice = body["choices"][0]
        message = choice.get("message") if isinstance(choice, dict) else None
        if not isinstance(message, dict):
            raise BadReply(f"the reply's first choice has no message: {_snippet(json.dumps(choice))!r}")
        out.has_choice = True
        out.content = message.get("content") if isinstance(message.get("content"), str) else None
        out.refusal = message.get("refusal") or None
        out.finish = choice.get("finish_reason")
        out.top_logprobs = _first_top_logprobs(choice)
    return out


def _read_usage(out: Completion, body: dict[str, Any]) -> None:
    usage = body.get("usage")
    if isinstance(usage, dict):
        out.prompt_tokens = int(usage.get("prompt_tokens") or 0)
        out.completion_tokens = int(usage.get("completion_tokens") or 0)
    if isinstance(body.get("timings"), dict):
        out.timings = body["timings"]


class StreamReader:
    """Accumulates server-sent events (``data: {...}`` lines) into a :class:`Completion`."""

    def __init__(self) -> None:
        self.completion = Completion()
        self.parts: list[str] = []
        self.chunks = 0  # content deltas: llama.cpp and OpenAI send about one token per delta
        self.done = False

    def feed(self, line: str) -> bool:
        """Read one line; True when it carried new content."""
        line = line.strip()
        if not line or line.startswith(":") or not line.startswith("data:"):
            return False  # blank separators, comments (keep-alives), event:/id: fields
        data = line[5:].strip()
        if data == "[DONE]":
            self.done = True
            return False
        try:
            event = json.loads(data)
        except ValueError as exc:
            raise BadReply(f"a streamed event is not JSON: {_snippet(data)!r}") from exc
        if not isinstance(event, dict):
            raise BadReply(f"a streamed event is not an object: {_snippet(data)!r}")
        if "error" in event:
            err = event["error"]
            message = err.get("message") if isinstance(err, dict) else err
            raise BadReply(f"the server reported an error mid-stream: {_snippet(str(message), 300)}")
        _read_usage(self.completion, event)
        new = False
        for choice in event.get("choices") or []:
            if not isinstance(choice, dict) or choice.get("index", 0) != 0:
                continue
            self.completion.has_choice = True
            if self.completion.top_logprobs is None:
                self.completion.top_logprobs = _first_top_logprobs(choice)
            delta = choice.get("delta") or choice.get("message") or {}
            if isinstance(delta, dict):
                if isinstance(delta.get("content"), str) and delta["content"]:
                    self.parts.append(delta["content"])
                    self.chunks += 1
                    new = True
                if delta.get("refusal"):
                    self.completion.refusal = (self.completion.refusal or "") + str(delta["refusal"])
            if choice.get("finish_reason"):
                self.completion.finish = choice["finish_reason"]
        return new

    def result(self) -> Completion:
        if not self.completion.has_choice and not self.done:
            raise BadReply("the stream ended without a single choice")
        out = self.completion
        out.content = "".join(self.parts) if self.parts else out.content
        timings = out.timings or {}
        # servers that send no usage when streaming: llama.cpp's timings count the tokens too
        with contextlib.suppress(TypeError, ValueError):
            if not out.prompt_tokens and timings.get("prompt_n") is not None:
                out.prompt_tokens = int(timings["prompt_n"]) + int(timings.get("cache_n") or 0)
            if not out.completion_tokens and timings.get("predicted_n") is not None:
                out.completion_tokens = int(timings["predicted_n"])
        if not out.completion_tokens:
            out.completion_tokens = self.chunks
        return out


# --------------------------------------------------------------------------------------------------
# Speed: measured per request, remembered per model, used to derive deadlines and an ETA
# --------------------------------------------------------------------------------------------------
@dataclass
class Speed:
    prompt_tps: float  # prompt tokens read per second
    gen_tps: float  # tokens written per second

    def expected_seconds(self, prompt_tokens: int, max_tokens: int) -> float:
        return prompt_tokens / max(self.prompt_tps, 0.1) + max_tokens / max(self.gen_tps, 0.1)


def measure_speed(completion: Completion, started: float, first_token: float | None,
                  finished: float) -> Speed | None:
    """llama.cpp's own timings when present, else what the clock saw."""
    t = completion.timings or {}
    try:
        if t.get("prompt_per_second") and t.get("predicted_per_second"):
            return Speed(float(t["prompt_per_second"]), float(t["predicted_per_second"]))
    except (TypeError, ValueError):
        pass
    if first_token is None or completion.completion_tokens < 8 or finished - first_token < 0.2:
        return None
    gen = completion.completion_tokens / (finished - first_token)
    wait = max(first_token - started, 0.05)
    prompt = completion.prompt_tokens / wait if completion.prompt_tokens else gen * 4
    return Speed(prompt, gen)


class SpeedCache:
    """``cache_dir/llm_speed.json``: the last measured speed per model, so the first request of the next
    run already has a deadline to go by."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> Speed | None:
        entry = self._read().get(key)
        try:
            return Speed(float(entry["prompt_tps"]), float(entry["gen_tps"])) if entry else None
        except (KeyError, TypeError, ValueError):
            return None

    def set(self, key: str, speed: Speed) -> None:
        data = self._read()
        data[key] = {"prompt_tps": round(speed.prompt_tps, 2), "gen_tps": round(speed.gen_tps, 2)}
        try:
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True))
        except OSError as exc:  # a read-only cache must not fail an extraction
            log.debug("could not remember the LLM speed in %s (%s)", self.path, exc)


# --------------------------------------------------------------------------------------------------
# Progress and the watchdog
# --------------------------------------------------------------------------------------------------
@dataclass
class Progress:
    """One progress report of a request in flight (for logs and the CLI)."""

    model: str
    tokens: int  # written so far
    max_tokens: int
    elapsed: float
    tokens_per_second: float | None
    eta_seconds: float | None  # an upper bound: the time to reach max_tokens at the current rate
    waiting_for_first_token: bool = False


ProgressFn = Callable[[Progress], None]


@dataclass
class Watchdog:
    """Aborts one request that stalls or runs past its deadline, by shutting its socket down."""

    stall: float
    first_token: float  # allowed wait before the first token
    deadline: float  # time.monotonic() value
    deadline_reason: str  # what the deadline was, for the message
    on_expire: Callable[[], None]  # called before the socket is shut (e.g. to close the client)
    expired: str | None = None
    _sock: socket.socket | None = None
    _last: float = field(default_factory=time.monotonic)
    _first_seen: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Watchdog:
        self._thread = threading.Thread(target=self._run, name="llm-watchdog", daemon=True)
        self._thread.start()
        return self

    def attach(self, http_response: Any) -> None:
        """Remember the response's socket, so that shutting it down wakes a blocked read at once."""
        stream = getattr(http_response, "extensions", {}).get("network_stream")
        with contextlib.suppress(Exception):
            self._sock = stream.get_extra_info("socket") if stream is not None else None

    def touch(self) -> None:
        self._last = time.monotonic()
        self._first_seen = True

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            now = time.monotonic()
            if now >= self.deadline:
                self._fire(self.deadline_reason)
                return
            limit = self.stall if self._first_seen else self.first_token
            if now - self._last >= limit:
                what = "no new token" if self._first_seen else "no first token"
                self._fire(f"{what} for {seconds(limit)} s (stalled)")
                return

    def _fire(self, reason: str) -> None:
        self.expired = reason
        log.warning("aborting the LLM request: %s", reason)
        with contextlib.suppress(Exception):
            if self._sock is not None:
                self._sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):
            self.on_expire()
