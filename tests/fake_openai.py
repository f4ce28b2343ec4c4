"""A scripted OpenAI-compatible chat server on 127.0.0.1, for tests through real HTTP and the real SDK.

Each ``POST /v1/chat/completions`` pops the next scripted reply and records the request body, so tests
can assert what was sent (response_format, temperature, re-ask messages) as well as what we did with
the answer. An exhausted script answers 599 so a test that makes more calls than it scripted fails.

A request with ``"stream": true`` gets a successful completion as server-sent events, as OpenAI and
llama.cpp send them (a few characters per delta, then usage when ``stream_options.include_usage``).
``Reply.trickle`` sends the body one byte at a time with that many seconds between bytes, and
``Reply.stream=False`` answers a streaming request with a plain body (servers and proxies that
ignore ``stream``, or an HTML page with status 200).

    with FakeOpenAI() as server:
        server.script(reply_json({...}), reply_error(429, headers={"Retry-After": "1"}))
        settings = Settings(base_url=server.base_url, llm_model="fake", ...)
"""

from __future__ import annotations

import contextlib
import json
import math
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # dict → JSON; str → sent as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (timeouts)
    # called with the request body to build the body at request time (e.g. prompt_tokens from the prompt)
    build: Callable[[dict[str, Any]], Any] | None = None
    content_type: str = "application/json"
    trickle: float = 0.0  # seconds between single bytes of the body (0: all at once)
    stream: bool = True  # answer a streaming request with events (False: with the plain body)
    event_delay: float = 0.0  # seconds between streamed events
    drop: bool = False  # read the request, then close the connection with no response (a stale keep-alive)


def _completion(content: str | None, *, finish_reason: str = "stop", refusal: str | None = None,
                prompt_tokens: int | None = None, completion_tokens: int | None = None,
                request: dict[str, Any] | None = None) -> dict[str, Any]:
    if prompt_tokens is None:
        # like a real tokenizer in order of magnitude: about 4 characters per token
        chars = sum(len(str(m.get("content") or "")) for m in (request or {}).get("messages", []))
        prompt_tokens = max(1, chars // 4)
    if completion_tokens is None:
        completion_tokens = max(1, len(content or "") // 4)
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": (request or {}).get("model", "fake"),
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
            "finish_reason": finish_reason,
        }],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def exchange_answer(p_yes: float, request: dict[str, Any]) -> dict[str, Any]:
    """A one-token "Yes"/"No" completion with the first token's log-probabilities, as llama.cpp's
    server sends them (``stream`` or not: the SDK call reads either)."""
    body = _completion("Yes" if p_yes >= 0.5 else "No", finish_reason="length", completion_tokens=1,
                       request=request)
    top = [{"token": "Yes", "logprob": math.log(max(p_yes, 1e-9))},
           {"token": "No", "logprob": math.log(max(1.0 - p_yes, 1e-9))}]
    body["choices"][0]["logprobs"] = {"content": [{"token": top[0]["token"] if p_yes >= 0.5 else "No",
                                                   "logprob": max(top[0]["logprob"], top[1]["logprob"]),
                                                   "top_logprobs": top}]}
    return body


def reply_text(content: str, *, finish_reason: str = "stop", prompt_tokens: int | None = None,
               refusal: str | None = None, delay: float = 0.0) -> Reply:
    def build(request: dict[str, Any]) -> Any:
        return _completion(content, finish_reason=finish_reason, refusal=refusal,
                           prompt_tokens=prompt_tokens, request=request)

    return Reply(build=build, delay=delay)


def reply_json(data: Any, **kwargs: Any) -> Reply:
    return reply_text(json.dumps(data, ensure_ascii=False), **kwargs)


def reply_refusal(message: str) -> Reply:
    def build(request: dict[str, Any]) -> Any:
        return _completion(None, refusal=message, request=request)

    return Reply(build=build)


def reply_raw(body: str, *, status: int = 200, content_type: str = "text/html",
              trickle: float = 0.0) -> Reply:
    """A body sent as is, whether or not the client asked for a stream (proxy pages, cut-off JSON)."""
    return Reply(status=status, body=body, content_type=content_type, trickle=trickle, stream=False)


def sse_events(completion: dict[str, Any], *, include_usage: bool, piece: int = 4) -> list[str]:
    """``completion`` as the ``data:`` events of a streamed reply."""
    choice = completion["choices"][0] if completion.get("choices") else None
    base = {k: completion[k] for k in ("id", "created", "model") if k in completion}
    base["object"] = "chat.completion.chunk"
    events: list[dict[str, Any]] = []

    def event(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

    if choice is not None:
        message = choice["message"]
        events.append(event({"role": "assistant", "content": ""}))
        content = message.get("content") or ""
        for start in range(0, len(content), piece):
            events.append(event({"content": content[start:start + piece]}))
        if message.get("refusal"):
            events.append(event({"refusal": message["refusal"]}))
        events.append(event({}, choice["finish_reason"]))
    if include_usage:
        events.append({**base, "choices": [], "usage": completion.get("usage")})
    return [f"data: {json.dumps(e, ensure_ascii=False)}\n\n" for e in events] + ["data: [DONE]\n\n"]


def reply_error(status: int, message: str = "error", *, headers: dict[str, str] | None = None,
                param: str | None = None, delay: float = 0.0) -> Reply:
    body = {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": None}}
    return Reply(status=status, body=body, headers=headers or {}, delay=delay)


class FakeOpenAI:
    """Threaded HTTP server; use as a context manager. ``requests`` holds every parsed request body."""

    def __init__(self) -> None:
        self._queue: list[Reply] = []
        self._lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        # guided mode's yes/no questions about exchanges (one token, with log-probabilities) are
        # answered apart from the script, with this P(yes): 0.0 leaves the rules' choice as it is
        # (None: from the script, like any request)
        self.exchange_yes: float | Callable[[dict[str, Any]], float] | None = 0.0
        self.exchange_requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a test's sleeping handler must not hold up shutdown
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def script(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._queue)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next(self) -> Reply | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {"_unparsed": raw.decode("utf-8", "replace")}
                with fake._lock:
                    fake.requests.append(body)
                    fake.paths.append(self.path)
                    fake.headers.append({k.lower(): v for k, v in self.headers.items()})
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._send(404, {"error": {"message": f"no route {self.path}"}}, {})
                    return
                if body.get("logprobs") and body.get("max_tokens") == 1 and fake.exchange_yes is not None:
                    with fake._lock:
                        fake.requests.pop()
                        fake.exchange_requests.append(body)
                    yes = fake.exchange_yes(body) if callable(fake.exchange_yes) else fake.exchange_yes
                    self._send(200, exchange_answer(yes, body), {})
                    return
                reply = fake._next()
                if reply is None:
                    self._send(599, {"error": {"message": "fake server: no scripted reply left"}}, {})
                    return
                if reply.drop:
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if reply.delay:
                    time.sleep(reply.delay)
                payload = reply.build(body) if reply.build else reply.body
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # client gave up (timeouts)
                    streamed = body.get("stream") and reply.stream and reply.status == 200
                    if streamed and isinstance(payload, dict):
                        usage = bool((body.get("stream_options") or {}).get("include_usage"))
                        self._send_events(sse_events(payload, include_usage=usage), reply)
                    else:
                        self._send(reply.status, payload, reply.headers, reply)

            def _send(self, status: int, payload: Any, headers: dict[str, str], reply: Reply | None = None
                      ) -> None:
                data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type if reply else "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self._write(data, reply.trickle if reply else 0.0)

            def _send_events(self, events: list[str], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")  # the end of the stream is the end of the body
                self.end_headers()
                for event in events:
                    self._write(event.encode(), reply.trickle)
                    if reply.event_delay:
                        time.sleep(reply.event_delay)
                self.close_connection = True

            def _write(self, data: bytes, trickle: float) -> None:
                if not trickle:
                    self.wfile.write(data)
                    self.wfile.flush()
                    return
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
                    self.wfile.flush()
                    time.sleep(trickle)

        return Handler


def sample_protocol(**overrides: Any) -> dict[str, Any]:
    """A complete, valid ``WireProtocol`` payload for scripted replies; override any top-level key."""
    data: dict[str, Any] = {
        "header": {"title": "Weekly sync", "date": None, "start_time": None, "end_time": None,
                   "place": None, "platform": "Zoom", "organisations": ["Acme"]},
        "participants": [{"name": "Anna", "position": None, "organisation": "Acme", "side": "ours",
                          "email": None, "phone": None, "speaker_labels": ["Anna"]}],
        "purpose": "Agree the launch plan",
        "results": ["Launch plan agreed"],
        "issues": [],
        "agreements": [],
        "next_steps": [],
        "open_questions": [],
        "closing": "Thanks everyone.",
    }
    data.update(overrides)
    return data


def agreement(text: str, segment_ids: list[str], quote: str, *, responsible: str | None = None,
              due_phrase: str | None = None, due_date: str | None = None) -> dict[str, Any]:
    return {"text": text, "responsible": responsible, "due_date": due_date, "due_phrase": due_phrase,
            "evidence": [{"segment_ids": segment_ids, "quote": quote}]}


# --------------------------------------------------------------------------------------------------
# The step protocol (summarizer.extract.llm_steps): one scripted reply per step, in the order asked
# --------------------------------------------------------------------------------------------------
def reply_labels(moments: list[dict[str, Any]]) -> Reply:
    """The labels step's reply (one label per segment the request lists) marking ``moments``."""
    def build(request: dict[str, Any]) -> Any:
        ids = list(request["response_format"]["json_schema"]["schema"]["properties"])
        labels = dict.fromkeys(ids, "none")
        for m in moments:
            for sid in m["segments"]:
                labels[sid] = "both" if {labels[sid], m["kind"]} == {"agreement", "action"} else m["kind"]
        return _completion(json.dumps(labels), request=request)

    return Reply(build=build)


def moment(segments: list[str], kind: str = "agreement") -> dict[str, Any]:
    return {"segments": segments, "kind": kind}


def item(text: str, *, responsible: str | None = None, due_phrase: str | None = None,
         due_date: str | None = None) -> dict[str, Any]:
    return {"text": text, "responsible": responsible, "due_phrase": due_phrase, "due_date": due_date}


def overview(purpose: str | None = "Agree the launch plan", issues: list[dict[str, Any]] | None = None,
             results: list[str] | None = None) -> dict[str, Any]:
    return {"purpose": purpose, "issues": issues or [], "results": results or []}


def step_replies(moments: list[dict[str, Any]], items: list[dict[str, Any]] | None = None,
                 overview_body: dict[str, Any] | None = None,
                 closing: str | None = "Thanks everyone.") -> list[Reply]:
    """The four replies of one chunk in split mode: labels (built from ``moments``), items (only when
    there are moments), overview, closing."""
    replies = [reply_labels(moments)]
    if moments:
        replies.append(reply_json({"items": items or []}))
    replies.append(reply_json(overview_body if overview_body is not None else overview()))
    if closing is not None:
        replies.append(reply_json({"closing": closing}))
    return replies
