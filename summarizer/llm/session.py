"""Talking to an OpenAI-compatible chat endpoint. The only module that imports ``openai``.

What it adds on top of the SDK, and why:

* **Own retries.** The SDK's retries are switched off (``max_retries=0``) so that one policy, bounded
  by ``settings.llm_max_retries``, covers 429/5xx/timeouts/connection errors and replies that are not
  a chat completion at all (a proxy's HTML page, a body cut off mid-JSON), honours ``Retry-After``
  and is visible in the logs and in ``LLMError.history``.
* **Streaming with a clock.** Replies are streamed, so a slow local model reports progress (tokens,
  tokens/s, an upper bound on the time left) and is judged by a stall limit (``llm_timeout``: no new
  token for that long) instead of a fixed total it always hits. Each request also has a total
  deadline, derived from the measured speed (remembered per model in ``cache_dir/llm_speed.json``)
  and capped by ``llm_request_timeout``, and all requests of one meeting share ``llm_meeting_timeout``.
  A watchdog thread enforces them (see ``summarizer.llm.stream``): a reply trickling one byte every
  few seconds never trips a socket's read timeout.
* **A structured-output ladder.** Servers differ: OpenAI and recent vLLM/llama.cpp take a strict
  ``json_schema``; some only take ``json_object``; some take neither. We start with the strictest
  mode, step down whenever the server rejects the ``response_format`` (a 400, or any status whose
  message is about the format: llama-cpp-python answers 500), and remember the mode that worked per
  endpoint+model in ``cache_dir/llm_modes.json`` so later runs don't probe again. A context overflow
  is never read as a rejected format.
* **Validation with re-asks.** Whatever the mode, the reply is parsed leniently (``<think>`` blocks
  and code fences stripped) and validated into a Pydantic model; on failure the model is asked
  again with the validation errors, at most ``settings.llm_max_reasks`` times. A reply cut off by
  the output limit (``finish_reason == "length"``) is never taken as a success.
* **Silent prompt truncation.** Ollama's default context is small and it drops the start of a long
  prompt without an error; a ``prompt_tokens`` count far below our estimate of what we sent is
  reported as an error instead of a protocol built from half a meeting.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from summarizer.config import Settings
from summarizer.errors import ConfigError, InvalidReply, LLMError
from summarizer.llm.http_errors import _CONTEXT_RE, _FORMAT_RE, _error_text, _is_loopback, _retry_after
from summarizer.llm.state import MODES, ModeCache, UsageTracker
from summarizer.llm.stream import (
    BadReply,
    Completion,
    Progress,
    ProgressFn,
    Speed,
    SpeedCache,
    StreamReader,
    Watchdog,
    measure_speed,
    parse_completion_body,
)
from summarizer.llm.structured import (
    describe_validation_error,
    estimate_tokens,
    parse_json_reply,
    strict_json_schema,
)

if TYPE_CHECKING:
    import openai

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

__all__ = ["MODES", "LLMSession", "ModeCache", "StructuredReply", "UsageTracker", "build_client",
           "set_progress_handler"]
DEFAULT_ENDPOINT = "https://api.openai.com/v1"
# Local servers (Ollama, llama.cpp, LM Studio, vLLM) ignore the key, but the SDK refuses to start without one.
DUMMY_API_KEY = "sk-no-key-required"
# Below this many estimated prompt tokens a short prompt cannot have been cut by any real context limit,
# and the estimate is too rough to judge.
TRUNCATION_MIN_TOKENS = 1000
TRUNCATION_RATIO = 0.5
MAX_RAW_IN_REASK = 24_000
# Before any speed was measured, the first token may take as long as reading the prompt at this rate
# (a loaded 2-core machine reads 40-70 prompt tokens/s with a 1.5B model); once measured, the real one.
SLOWEST_PROMPT_TPS = 30.0
PROGRESS_EVERY = 2.0  # seconds between progress reports of one streamed reply
YES_NO_ALTERNATIVES = 10  # first-token alternatives asked for: "Yes", " yes", "YES", "No"… all count

_progress_handler: ProgressFn | None = None


def set_progress_handler(handler: ProgressFn | None) -> None:
    """Where every session without its own ``progress`` reports (the CLI shows it on stderr)."""
    global _progress_handler
    _progress_handler = handler


# --------------------------------------------------------------------------------------------------
# Client, token estimate, usage
# --------------------------------------------------------------------------------------------------
def build_client(settings: Settings) -> openai.OpenAI:
    """An SDK client for the configured endpoint, with the SDK's own retries off (we retry) and its
    timeouts set per request (see ``LLMSession._request``)."""
    import openai

    if not settings.llm_configured:
        raise ConfigError(
            "no LLM endpoint configured",
            hint="set base_url (or api_key) and llm_model, or use --offline",
        )
    return openai.OpenAI(
        base_url=settings.base_url or None,
        api_key=settings.api_key or DUMMY_API_KEY,
        timeout=settings.llm_timeout,
        max_retries=0,
    )


# --------------------------------------------------------------------------------------------------
# The session
# --------------------------------------------------------------------------------------------------
class _FormatRejected(Exception):
    """The server refused the response_format of the current mode."""


class _Aborted(Exception):
    """One try ended without a reply (stalled, past its deadline, connection broken)."""


@dataclass
class StructuredReply(Generic[T]):
    value: T
    raw: str
    mode: str
    attempts: int


@dataclass
class LLMSession:
    """One endpoint + model, with retries, the mode ladder and usage accounting.

    ``sleep`` is injectable so tests can check the waits chosen without spending them."""

    settings: Settings
    client: Any = None
    sleep: Callable[[float], None] = time.sleep
    usage: UsageTracker = field(default_factory=UsageTracker)
    mode: str = ""
    progress: ProgressFn | None = None

    def __post_init__(self) -> None:
        if not self.settings.llm_model:
            raise ConfigError("no LLM model configured", hint="set llm_model (or pass --model)")
        if self.settings.llm_mode and self.settings.llm_mode not in MODES:
            raise ConfigError(f"llm_mode must be one of {', '.join(MODES)}, not {self.settings.llm_mode!r}")
        self.model: str = self.settings.llm_model
        self.endpoint: str = (self.settings.base_url or DEFAULT_ENDPOINT).rstrip("/")
        self._modes = ModeCache(self.settings.cache_dir / "llm_modes.json")
        self._key = f"{self.endpoint}|{self.model}"
        if not self.mode:
            self.mode = self.settings.llm_mode or self._modes.get(self._key) or MODES[0]
        self._own_client = self.client is None
        self._client_closed = False
        if self.client is None:
            self.client = build_client(self.settings)
        self._stream: bool = self.settings.llm_stream
        self._meeting_deadline: float | None = None  # set by the first request
        self._speeds = SpeedCache(self.settings.cache_dir / "llm_speed.json")
        self._speed_key = self.model if _is_loopback(self.endpoint) else self._key
        self.speed: Speed | None = self._speeds.get(self._speed_key)
        self._logprobs = True  # False once the server has refused the parameter

    # -- public ------------------------------------------------------------------------------------
    def complete_json(
        self, messages: list[dict[str, str]], model: type[T], *, schema_name: str = "protocol",
        max_tokens: int | None = None,
    ) -> StructuredReply[T]:
        """Ask until the reply validates as ``model``; raise ``LLMError`` with the history if not.

        Every request carries an output limit: ``max_tokens``, else ``settings.llm_max_tokens``."""
        schema = strict_json_schema(model)
        limit = max_tokens if max_tokens is not None else self.settings.llm_max_tokens
        history: list[dict[str, Any]] = []
        followup: list[dict[str, str]] = []
        attempts = 0
        max_attempts = 1 + max(0, self.settings.llm_max_reasks)
        while True:
            sent = _append(self._messages_for_mode(messages, schema), followup)
            try:
                completion = self._send(sent, self._response_format(schema, schema_name), history,
                                        max_tokens=limit)
            except _FormatRejected as exc:
                self._step_down(str(exc), history)
                continue
            attempts += 1
            self._remember_mode()
            raw = completion.content or ""
            finish = completion.finish
            self._check_prompt_truncation(sent, completion.prompt_tokens, history, attempts, raw)
            if completion.refusal:
                raise self._error(f"the model refused: {completion.refusal}", attempts, raw, history)
            if finish == "content_filter":
                raise self._error("the provider's content filter blocked the reply", attempts, raw, history)
            if finish == "length":
                problem = "the reply was cut off at the output token limit (finish_reason=length)"
                followup = [{"role": "user", "content": _LENGTH_NOTE}]
            elif not completion.has_choice:
                problem = "the server returned no choices"
                followup = []
            else:
                try:
                    value = model.model_validate(parse_json_reply(raw))
                except (ValueError, ValidationError) as exc:
                    problem = describe_validation_error(exc)
                    followup = [
                        {"role": "assistant", "content": raw[:MAX_RAW_IN_REASK]},
                        {"role": "user", "content": _REASK.format(problem=problem)},
                    ]
                else:
                    history.append({"attempt": attempts, "mode": self.mode, "ok": True, "finish": finish})
                    return StructuredReply(value=value, raw=raw, mode=self.mode, attempts=attempts)
            log.warning("LLM %s attempt %d/%d failed: %s", schema_name, attempts, max_attempts,
                        problem.splitlines()[0])
            history.append({"attempt": attempts, "mode": self.mode, "finish": finish,
                            "error": problem, "raw": raw[:2000]})
            if attempts >= max_attempts:
                raise self._error(
                    f"{self.model} at {self.endpoint} gave no valid answer in {attempts} attempts; "
                    f"last problem: {problem}",
                    attempts,
                    raw,
                    history,
                    hint="try a larger model, raise llm_max_reasks, or use --offline for an offline draft",
                    invalid=True,
                )

    def yes_probability(self, messages: list[dict[str, str]], yes: set[str], no: set[str]) -> float:
        """P(yes) of a one-token yes/no answer, read from the server's log-probabilities of the first
        token; a server that sends none is taken at its word (1.0 or 0.0)."""
        extra = {"logprobs": True, "top_logprobs": YES_NO_ALTERNATIVES} if self._logprobs else {}
        try:
            completion = self._send(messages, None, [], max_tokens=1, extra=extra)
        except LLMError as exc:
            if not extra or "logprob" not in exc.message.lower():
                raise
            # a server that takes no logprobs parameter (HTTP 400 naming it): ask plainly from now on
            log.warning("%s rejects logprobs; yes/no answers are taken at their word", self.endpoint)
            self._logprobs = False
            completion = self._send(messages, None, [], max_tokens=1)
        if completion.top_logprobs:
            p_yes = sum(math.exp(lp) for tok, lp in completion.top_logprobs if _starts_any(tok, yes))
            p_no = sum(math.exp(lp) for tok, lp in completion.top_logprobs if _starts_any(tok, no))
            if p_yes + p_no > 0:
                return p_yes / (p_yes + p_no)
        said = (completion.content or "").strip().lower().strip(".!,")
        return 1.0 if said in yes else 0.0

    # -- modes -------------------------------------------------------------------------------------
    def _response_format(self, schema: dict[str, Any], name: str) -> dict[str, Any] | None:
        if self.mode == "json_schema":
            return {"type": "json_schema", "json_schema": {"name": name, "strict": True, "schema": schema}}
        if self.mode == "json_object":
            return {"type": "json_object"}
        return None

    def _messages_for_mode(
        self, messages: list[dict[str, str]], schema: dict[str, Any]
    ) -> list[dict[str, str]]:
        if self.mode == "json_schema":
            return list(messages)
        # Without a server-side schema the model only knows the shape from the prompt.
        note = _SCHEMA_NOTE.format(schema=json.dumps(schema, ensure_ascii=False, separators=(",", ":")))
        if self.mode == "text":
            note += "\n" + _TEXT_NOTE
        out = [dict(m) for m in messages]
        if out and out[0]["role"] == "system":
            out[0]["content"] = out[0]["content"].rstrip() + "\n\n" + note
        else:
            out.insert(0, {"role": "system", "content": note})
        return out

    def _step_down(self, reason: str, history: list[dict[str, Any]]) -> None:
        index = MODES.index(self.mode)
        if index + 1 >= len(MODES):
            raise self._error(f"{self.endpoint} rejected the request: {reason}", 0, None, history)
        new = MODES[index + 1]
        log.warning("%s rejected response_format %s (%s); falling back to %s", self.endpoint, self.mode,
                    reason[:200], new)
        history.append({"mode": self.mode, "error": f"response_format rejected: {reason[:500]}", "next": new})
        self.mode = new

    def _remember_mode(self) -> None:
        if not self.settings.llm_mode:
            self._modes.set(self._key, self.mode)

    # -- transport ---------------------------------------------------------------------------------
    def _send(
        self, messages: list[dict[str, str]], response_format: dict[str, Any] | None,
        history: list[dict[str, Any]], *, max_tokens: int, extra: dict[str, Any] | None = None,
    ) -> Completion:
        """One completion, with transport retries; every try bounded by the stall limit, the request's
        deadline and what is left of the meeting's budget."""
        import openai

        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "temperature": 0,
                                  "max_tokens": max_tokens}
        if response_format is not None:
            kwargs["response_format"] = response_format
        kwargs.update(extra or {})
        prompt_estimate = estimate_tokens("".join(m["content"] for m in messages))
        tries = 1 + max(0, self.settings.llm_max_retries)
        for attempt in range(1, tries + 1):
            retry_after: float | None = None
            try:
                self.usage.requests += 1
                completion = self._request_redone(kwargs, prompt_estimate, max_tokens, history)
                self.usage.prompt_tokens += completion.prompt_tokens
                self.usage.completion_tokens += completion.completion_tokens
                return completion
            except openai.APIStatusError as exc:
                status = exc.status_code
                text = _error_text(exc)
                if _CONTEXT_RE.search(text):
                    raise self._error(
                        f"{self.endpoint} says the prompt is too long for {self.model}: {text[:300]}",
                        0, None, history,
                        hint="lower context_tokens so the transcript is sent in smaller chunks"
                        " (the local server: raise local_ctx_size)",
                    ) from exc
                if self._stream and status in (400, 422) and "stream" in text.lower():
                    # a server that takes no stream_options (or no streaming): ask plainly, same try
                    log.warning("%s rejects streaming (%s); asking without it", self.endpoint, text[:200])
                    self._stream = False
                    history.append({"transport_try": attempt, "error": f"streaming rejected: {text[:300]}"})
                    continue
                if response_format is not None and (status in (400, 422) or _FORMAT_RE.search(text)):
                    # llama-cpp-python answers an unknown response_format with HTTP 500
                    raise _FormatRejected(f"HTTP {status}: {text}") from exc
                if status in (400, 422):
                    raise self._error(f"{self.endpoint} rejected the request ({status}): {text[:500]}",
                                      0, None, history) from exc
                if status in (401, 403):
                    raise self._error(f"{self.endpoint} refused the API key ({status}): {text[:300]}",
                                      0, None, history, hint="check api_key / OPENAI_API_KEY") from exc
                if status == 404:
                    raise self._error(
                        f"{self.endpoint} has no model {self.model!r} or no chat endpoint (404): "
                        f"{text[:300]}",
                        0, None, history,
                        hint="check llm_model and that base_url ends with /v1 (e.g. http://localhost:11434/v1)",
                    ) from exc
                if status not in (408, 409, 429) and status < 500:
                    raise self._error(f"{self.endpoint} failed with HTTP {status}: {text[:500]}",
                                      0, None, history) from exc
                problem = f"HTTP {status}: {text[:200]}"
                retry_after = _retry_after(exc.response.headers)
            except _Aborted as exc:
                problem = str(exc)
            except openai.APITimeoutError:
                problem = f"no answer within {self.settings.llm_timeout:g} s"
            except openai.APIConnectionError as exc:
                problem = f"connection failed: {exc.__cause__ or exc}"
            except BadReply as exc:
                problem = str(exc)
            history.append({"transport_try": attempt, "error": problem})
            self._check_local_server(history)
            if attempt == tries:
                raise self._error(
                    f"{self.endpoint} did not answer successfully after {tries} tries; last: {problem}",
                    0, None, history, hint="check that the server is running and base_url is right",
                )
            delay = self.settings.llm_backoff * 2 ** (attempt - 1)
            if retry_after is not None:
                delay = max(delay, retry_after)
            delay = max(0.0, min(delay, self.settings.llm_max_backoff, self._meeting_left()))
            log.warning("LLM request failed (%s); retry %d/%d in %.2f s", problem, attempt, tries - 1, delay)
            self.sleep(delay)
        raise AssertionError("unreachable")

    def _request_redone(self, kwargs: dict[str, Any], prompt_estimate: int, max_tokens: int,
                        history: list[dict[str, Any]]) -> Completion:
        """A server that closed a kept-alive connection as the request went out ("Server disconnected
        without sending a response"; llama-server does it about once in 150 requests) never saw it:
        it is asked again at once, quietly, once. A second drop is a transport fault like any other."""
        import openai

        try:
            return self._request(kwargs, prompt_estimate, max_tokens, history)
        except openai.APIConnectionError as exc:
            if not _dropped_before_reply(exc):
                raise
            history.append({"transport_try": 0,
                            "error": f"connection dropped before a reply: {exc.__cause__}"})
            self._check_local_server(history)  # a dying server drops its connections the same way
            log.info("%s closed the connection before answering; asking again", self.endpoint)
            self.usage.requests += 1
            return self._request(kwargs, prompt_estimate, max_tokens, history)

    def _check_local_server(self, history: list[dict[str, Any]]) -> None:
        """A local model server we started that has died is the answer, not a reason to retry."""
        from summarizer.llm.local import server_for

        server = server_for(self.endpoint)
        # a connection dropped by a dying server comes a moment before its exit can be seen
        if server is not None and not server.alive_after(1.0):
            error = server.died("has died")
            raise self._error(error.message, 0, None, history, hint=error.hint)

    def _meeting_left(self) -> float:
        if self._meeting_deadline is None:
            self._meeting_deadline = time.monotonic() + self.settings.llm_meeting_timeout
        return self._meeting_deadline - time.monotonic()

    def request_budget(self, prompt_tokens: int, max_tokens: int) -> tuple[float, str]:
        """Seconds this request may take and why: from the measured speed when there is one, capped by
        ``llm_request_timeout`` and by what is left of ``llm_meeting_timeout``."""
        hard = self.settings.llm_request_timeout
        budget, reason = hard, f"the request took longer than llm_request_timeout ({hard:g} s)"
        if self.speed is not None:
            derived = 1.5 * self.speed.expected_seconds(prompt_tokens, max_tokens) + self.settings.llm_timeout
            if derived < budget:
                budget = derived
                reason = (f"the request took longer than {derived:.0f} s, 1.5 times what {max_tokens} tokens "
                          f"take at the measured {self.speed.gen_tps:.1f} tokens/s, plus the stall limit")
        left = self._meeting_left()
        if left < budget:
            budget = left
            reason = (f"the meeting's LLM time (llm_meeting_timeout, "
                      f"{self.settings.llm_meeting_timeout:g} s) ran out")
        return budget, reason

    def _first_token_wait(self, prompt_tokens: int) -> float:
        """The stall limit plus the time reading the prompt takes (a local model writes nothing before)."""
        if self.speed is not None:
            reading = 1.5 * prompt_tokens / max(self.speed.prompt_tps, 1.0)
        else:
            reading = prompt_tokens / SLOWEST_PROMPT_TPS
        return self.settings.llm_timeout + reading

    def _request(self, kwargs: dict[str, Any], prompt_tokens: int, max_tokens: int,
                 history: list[dict[str, Any]]) -> Completion:
        import httpx

        if self._client_closed:  # the watchdog closed it to end the last try
            self.client = build_client(self.settings)
            self._client_closed = False
        budget, reason = self.request_budget(prompt_tokens, max_tokens)
        if budget <= 0:
            raise self._error(
                f"{reason}; {self.usage.requests - 1} request(s) were made", 0, None, history,
                hint="raise llm_meeting_timeout, or use a faster or smaller model",
            )
        stream = self._stream
        first_wait = self._first_token_wait(prompt_tokens)
        started = time.monotonic()
        dog = Watchdog(stall=self.settings.llm_timeout, first_token=first_wait if stream else budget,
                       deadline=started + budget, deadline_reason=reason, on_expire=self._close_client)
        # the socket's own read timeout: before the first token (streaming) or for the whole reply
        read = min(first_wait if stream else budget, budget) + 1.0
        extra: dict[str, Any] = {"stream": True, "stream_options": {"include_usage": True}} if stream else {}
        dog.start()
        try:
            with self.client.chat.completions.with_streaming_response.create(
                **kwargs, **extra, timeout=httpx.Timeout(read, connect=min(read, 30.0))
            ) as response:
                http = response.http_response
                dog.attach(http)
                ctype = http.headers.get("content-type", "")
                if not stream or "text/event-stream" not in ctype:
                    return parse_completion_body(http.read(), ctype)
                return self._read_stream(http, dog, started, max_tokens)
        except (httpx.HTTPError, OSError) as exc:
            if dog.expired:
                raise _Aborted(dog.expired) from exc
            if isinstance(exc, httpx.TimeoutException):
                raise _Aborted(f"no answer within {read:g} s") from exc
            raise _Aborted(f"the connection broke while reading the reply "
                           f"({type(exc).__name__}: {exc})") from exc
        except Exception:
            if dog.expired:  # the SDK wraps the error of a shut socket in its own types
                raise _Aborted(dog.expired) from None
            raise
        finally:
            dog.stop()

    def _read_stream(self, http: Any, dog: Watchdog, started: float, max_tokens: int) -> Completion:
        reader = StreamReader()
        first: float | None = None
        last_report = started
        for line in http.iter_lines():
            if reader.feed(line):
                now = time.monotonic()
                dog.touch()
                first = first or now
                if now - last_report >= PROGRESS_EVERY:
                    last_report = now
                    self._report(reader.chunks, max_tokens, started, first, now)
            if reader.done:
                pass  # keep reading: the usage chunk may follow [DONE] on some servers
        if dog.expired:
            raise _Aborted(dog.expired)
        completion = reader.result()
        finished = time.monotonic()
        speed = measure_speed(completion, started, first, finished)
        if speed is not None:
            self.speed = speed
            self._speeds.set(self._speed_key, speed)
        self._report(completion.completion_tokens, max_tokens, started, first, finished, done=True)
        return completion

    def _report(self, tokens: int, max_tokens: int, started: float, first: float | None, now: float,
                *, done: bool = False) -> None:
        rate = tokens / (now - first) if first is not None and now - first > 0.05 else None
        eta = 0.0 if done else ((max_tokens - tokens) / rate if rate else None)
        info = Progress(model=self.model, tokens=tokens, max_tokens=max_tokens, elapsed=now - started,
                        tokens_per_second=rate, eta_seconds=eta, waiting_for_first_token=first is None)
        handler = self.progress or _progress_handler
        if handler is not None:
            with contextlib.suppress(Exception):  # a broken progress display must not fail a draft
                handler(info)
        else:
            log.info("%s: %d tokens in %.0f s%s%s", self.model, tokens, info.elapsed,
                     f" ({rate:.1f} tokens/s)" if rate else "",
                     f", at most ~{eta:.0f} s left" if eta else "")

    def _close_client(self) -> None:
        """Called by the watchdog: closing the pool ends a read still waiting for headers."""
        if self._own_client:
            with contextlib.suppress(Exception):
                self.client.close()
            self._client_closed = True

    def _check_prompt_truncation(
        self, sent: list[dict[str, str]], reported: int, history: list[dict[str, Any]], attempts: int,
        raw: str,
    ) -> None:
        expected = estimate_tokens("".join(m["content"] for m in sent))
        if reported and expected >= TRUNCATION_MIN_TOKENS and reported < TRUNCATION_RATIO * expected:
            raise self._error(
                f"{self.endpoint} read only {reported} prompt tokens of about {expected} sent: "
                "the server silently cut the transcript to fit its context window",
                attempts, raw, history,
                hint="raise the server's context size (Ollama: num_ctx, e.g. OLLAMA_CONTEXT_LENGTH=16384 "
                "or 'PARAMETER num_ctx 16384' in a Modelfile), or lower context_tokens so chunks fit",
            )

    def _error(
        self, message: str, attempts: int, raw: str | None, history: list[dict[str, Any]],
        *, hint: str | None = None, invalid: bool = False,
    ) -> LLMError:
        kind = InvalidReply if invalid else LLMError
        return kind(message, attempts=attempts, last_raw=raw, usage=self.usage.as_dict(),
                    history=list(history), hint=hint)


def _starts_any(token: str, words: set[str]) -> bool:
    """A first token that begins one of the words: Qwen's tokenizer starts "Да" with "Д" and "Нет"
    with "Н", so whole-word matching would count no Russian answer at all."""
    piece = token.strip().lower()
    return bool(piece) and any(word.startswith(piece) for word in words)


def _append(messages: list[dict[str, str]], followup: list[dict[str, str]]) -> list[dict[str, str]]:
    """Add follow-up messages; a user note right after the user prompt is merged into it because some
    chat templates (Mistral's, for one) reject two user turns in a row."""
    out = [dict(m) for m in messages]
    for msg in followup:
        if out and msg["role"] == "user" and out[-1]["role"] == "user":
            out[-1]["content"] = out[-1]["content"].rstrip() + "\n\n" + msg["content"]
        else:
            out.append(dict(msg))
    return out


_SCHEMA_NOTE = (
    "Reply with a single JSON object that matches this JSON Schema. Every key must be present; use null "
    "(or an empty list) when something was not said.\nJSON Schema: {schema}"
)
_TEXT_NOTE = "Output only the JSON object: no explanations, no text before or after it."
_REASK = (
    "Your previous reply could not be used: {problem}\n"
    "Reply again with the complete corrected JSON object only, following the schema exactly."
)
_LENGTH_NOTE = (
    "Your previous reply was cut off at the output length limit, so it was discarded. Reply again with "
    "the complete JSON object, shorter: brief summaries, quotes of at most 20 words, no repetition."
)


def _dropped_before_reply(exc: BaseException) -> bool:
    """A connection closed before any byte of the response. Matched by the exception's name: the SDK's
    transport package is not always ``httpx`` (the installed openai raises ``httpx2``'s)."""
    cause = exc.__cause__
    return type(cause).__name__ == "RemoteProtocolError" and "without sending a response" in str(cause)
