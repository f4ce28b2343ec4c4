"""The LLM client through real HTTP: the real openai SDK against a scripted server on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from fake_openai import FakeOpenAI, Reply, reply_error, reply_json, reply_refusal, reply_text, sample_protocol
from pydantic import BaseModel, Field

from summarizer.config import Settings
from summarizer.errors import ConfigError, LLMError
from summarizer.llm.session import LLMSession, ModeCache
from summarizer.llm.structured import estimate_tokens, parse_json_reply, strict_json_schema
from summarizer.schema import WireProtocol

MESSAGES = [
    {"role": "system", "content": "You extract meeting protocols as JSON."},
    {"role": "user", "content": "[s0001 00:00:01] Anna: Let's launch on Friday."},
]


@pytest.fixture
def server():
    with FakeOpenAI() as srv:
        yield srv


def make_settings(server: FakeOpenAI, tmp_path: Path, **kw: Any) -> Settings:
    base = Settings(
        base_url=server.base_url, llm_model="fake-model", cache_dir=tmp_path / "cache",
        llm_timeout=5.0, llm_backoff=0.01, llm_max_backoff=5.0,
    )
    return dataclasses.replace(base, **kw)


class Recorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# --------------------------------------------------------------------------------------------------
# The strict schema transform
# --------------------------------------------------------------------------------------------------
def _walk(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    out = []
    if isinstance(node, dict):
        out.append((path, node))
        for key, value in node.items():
            if key in ("properties", "$defs"):
                for name, sub in value.items():
                    out.extend(_walk(sub, f"{path}/{key}/{name}"))
            elif isinstance(value, (dict, list)):
                out.extend(_walk(value, f"{path}/{key}"))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out.extend(_walk(value, f"{path}[{i}]"))
    return out


class _Inner(BaseModel):
    when: dt.date = Field(description="a date")
    note: str = "default note"


class _Outer(BaseModel):
    title: str = Field(default="x", title="Title")
    inner: _Inner | None = None
    described: _Inner = Field(description="a described nested model")
    items: list[_Inner] = Field(default_factory=list)


@pytest.mark.parametrize("model", [WireProtocol, _Outer])
def test_strict_schema_closes_every_object_and_drops_unsupported_keywords(model: type[BaseModel]) -> None:
    schema = strict_json_schema(model)
    objects = 0
    for path, node in _walk(schema):
        assert not {"title", "default", "format", "allOf", "oneOf"} & set(node), path
        if "$ref" in node:
            assert list(node) == ["$ref"], f"{path}: keywords beside $ref"
        if node.get("type") == "object":
            objects += 1
            assert node["additionalProperties"] is False, path
            assert sorted(node["required"]) == sorted(node["properties"]), path
    assert objects >= 2
    # a field that is itself called "title" survives (only the keyword is dropped)
    if model is WireProtocol:
        assert "title" in schema["$defs"]["WireHeader"]["properties"]
        assert "title" in schema["$defs"]["WireIssue"]["required"]
    else:
        assert "title" in schema["properties"]
        assert schema["properties"]["described"]["description"] == "a described nested model"
        assert schema["properties"]["described"]["additionalProperties"] is False


def test_parse_json_reply_handles_think_fences_and_prose() -> None:
    assert parse_json_reply('<think>{"no": 1}</think>\n```json\n{"a": 1}\n```') == {"a": 1}
    assert parse_json_reply('reasoning without an opening tag</think>{"a": 2}') == {"a": 2}
    assert parse_json_reply('Here is the protocol: {"a": 3}. Hope it helps!') == {"a": 3}
    with pytest.raises(ValueError, match="no JSON"):
        parse_json_reply("I cannot help with that")
    with pytest.raises(ValueError, match="not valid JSON"):
        parse_json_reply('{"a": 1,')


def test_estimate_tokens_counts_cyrillic_denser() -> None:
    assert 240 <= estimate_tokens("a" * 1000) <= 260
    assert 320 <= estimate_tokens("я" * 1000) <= 345


# --------------------------------------------------------------------------------------------------
# Through the fake server
# --------------------------------------------------------------------------------------------------
def test_valid_strict_json_first_time(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_json(sample_protocol()))
    session = LLMSession(make_settings(server, tmp_path))
    reply = session.complete_json(MESSAGES, WireProtocol)
    assert reply.value.purpose == "Agree the launch plan"
    assert reply.mode == "json_schema" and reply.attempts == 1
    [request] = server.requests
    assert server.paths == ["/v1/chat/completions"]
    assert request["model"] == "fake-model"
    assert request["temperature"] == 0
    fmt = request["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["schema"] == strict_json_schema(WireProtocol)
    assert request["messages"] == MESSAGES  # the schema travels in response_format, not the prompt
    assert session.usage.requests == 1 and session.usage.prompt_tokens > 0
    cached = json.loads((tmp_path / "cache" / "llm_modes.json").read_text())
    assert cached == {f"{server.base_url}|fake-model": "json_schema"}


def test_text_mode_parses_fenced_json_after_think_block(server: FakeOpenAI, tmp_path: Path) -> None:
    body = json.dumps(sample_protocol())
    raw = "<think>The user wants JSON. {not this}</think>\nSure:\n```json\n" + body + "\n```"
    server.script(reply_text(raw))
    session = LLMSession(make_settings(server, tmp_path, llm_mode="text"))
    reply = session.complete_json(MESSAGES, WireProtocol)
    assert reply.value.closing == "Thanks everyone." and reply.mode == "text"
    request = server.requests[0]
    assert "response_format" not in request
    assert "JSON Schema" in request["messages"][0]["content"]
    assert "Output only the JSON object" in request["messages"][0]["content"]
    # a forced mode is not written to the cache
    assert not (tmp_path / "cache" / "llm_modes.json").exists()


def test_invalid_then_valid_reasks_with_the_validation_error(server: FakeOpenAI, tmp_path: Path) -> None:
    bad = sample_protocol()
    del bad["agreements"]
    bad["issues"] = [{"title": "Budget"}]
    server.script(reply_json(bad), reply_json(sample_protocol()))
    session = LLMSession(make_settings(server, tmp_path))
    reply = session.complete_json(MESSAGES, WireProtocol)
    assert reply.attempts == 2 and reply.value.purpose == "Agree the launch plan"
    first, second = server.requests
    assert second["temperature"] == 0
    assert second["messages"][: len(MESSAGES)] == first["messages"]
    assert second["messages"][-2]["role"] == "assistant"
    assert json.loads(second["messages"][-2]["content"]) == bad
    reask = second["messages"][-1]["content"]
    assert second["messages"][-1]["role"] == "user"
    assert "agreements: Field required" in reask
    assert "issues.0.solutions: Field required" in reask


def test_truncated_reply_is_never_a_success(server: FakeOpenAI, tmp_path: Path) -> None:
    # Valid JSON, but the server says it stopped at the length limit: not to be trusted.
    full = json.dumps(sample_protocol())
    server.script(*(reply_text(full, finish_reason="length") for _ in range(3)))
    session = LLMSession(make_settings(server, tmp_path))
    with pytest.raises(LLMError) as info:
        session.complete_json(MESSAGES, WireProtocol)
    assert info.value.attempts == 3 and len(server.requests) == 3
    assert "finish_reason=length" in info.value.message
    # the re-ask says why, merged into the user turn (no two user turns in a row)
    last = server.requests[-1]["messages"]
    assert [m["role"] for m in last] == ["system", "user"]
    assert "cut off at the output length limit" in last[-1]["content"]


def test_truncated_then_complete_succeeds(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_text('{"header": {"title": "Wee', finish_reason="length"),
                  reply_json(sample_protocol()))
    reply = LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert reply.attempts == 2


def test_schema_rejected_falls_back_to_json_object_and_is_remembered(
    server: FakeOpenAI, tmp_path: Path
) -> None:
    server.script(
        reply_error(400, "response_format 'json_schema' is not supported by this model",
                    param="response_format"),
        reply_json(sample_protocol()),
        reply_json(sample_protocol()),
    )
    settings = make_settings(server, tmp_path)
    reply = LLMSession(settings).complete_json(MESSAGES, WireProtocol)
    assert reply.mode == "json_object" and reply.attempts == 1
    assert server.requests[0]["response_format"]["type"] == "json_schema"
    assert server.requests[1]["response_format"] == {"type": "json_object"}
    assert "JSON Schema" in server.requests[1]["messages"][0]["content"]
    cache = ModeCache(tmp_path / "cache" / "llm_modes.json")
    assert cache.get(f"{server.base_url}|fake-model") == "json_object"
    # the next run starts in the remembered mode: one request, no probe
    again = LLMSession(settings)
    assert again.mode == "json_object"
    again.complete_json(MESSAGES, WireProtocol)
    assert server.requests[2]["response_format"] == {"type": "json_object"}
    assert len(server.requests) == 3


def test_every_format_rejected_is_an_error(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_error(400, "bad response_format"), reply_error(400, "bad response_format"),
                  reply_error(400, "something else is wrong"))
    with pytest.raises(LLMError, match="rejected the request") as info:
        LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert len(server.requests) == 3
    assert "response_format" not in server.requests[2]
    assert [h.get("next") for h in info.value.history[:2]] == ["json_object", "text"]


def test_rate_limit_waits_retry_after_then_succeeds(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_error(429, "slow down", headers={"Retry-After": "2"}),
                  reply_error(503, "overloaded"),
                  reply_json(sample_protocol()))
    waits = Recorder()
    session = LLMSession(make_settings(server, tmp_path, llm_backoff=0.5), sleep=waits)
    reply = session.complete_json(MESSAGES, WireProtocol)
    assert reply.attempts == 1  # transport retries are not validation attempts
    assert waits.waits == [2.0, 1.0]  # Retry-After honoured; then exponential backoff 0.5 * 2
    assert session.usage.requests == 3 and len(server.requests) == 3


def test_real_sleep_between_retries(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_error(500, "boom"), reply_json(sample_protocol()))
    started = time.monotonic()
    LLMSession(make_settings(server, tmp_path, llm_backoff=0.2)).complete_json(MESSAGES, WireProtocol)
    assert time.monotonic() - started >= 0.2


def test_timeout_is_retried_then_reported(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply(delay=6, build=lambda r: {}), Reply(delay=6, build=lambda r: {}))
    session = LLMSession(make_settings(server, tmp_path, llm_timeout=0.3, llm_max_retries=1,
                                       llm_backoff=0.01))
    started = time.monotonic()
    with pytest.raises(LLMError, match="did not answer successfully after 2 tries") as info:
        session.complete_json(MESSAGES, WireProtocol)
    # not a speed test: waiting for both slow replies would take 12 s; a loaded machine gets slack.
    # Before the first token the stall limit (0.3 s) is extended by the time reading a prompt of
    # this size takes at the slowest speed we allow for (under a second here).
    assert time.monotonic() - started < 9
    assert len(server.requests) == 2
    assert [h["error"] for h in info.value.history] == ["no first token for 1.0 s (stalled)"] * 2


def test_connection_refused_is_retried_then_reported(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(base_url=f"http://127.0.0.1:{port}/v1", llm_model="m", cache_dir=tmp_path,
                        llm_backoff=0.01, llm_max_retries=2)
    with pytest.raises(LLMError, match="after 3 tries; last: connection failed") as info:
        LLMSession(settings).complete_json(MESSAGES, WireProtocol)
    assert info.value.hint and "server is running" in info.value.hint


def test_auth_error_is_not_retried(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_error(401, "invalid api key"))
    with pytest.raises(LLMError, match="refused the API key"):
        LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert len(server.requests) == 1


def test_refusal_is_an_error(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_refusal("I can't help with that."))
    with pytest.raises(LLMError, match="refused: I can't help with that") as info:
        LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert info.value.attempts == 1 and len(server.requests) == 1


def test_silently_truncated_prompt_is_detected(server: FakeOpenAI, tmp_path: Path) -> None:
    # Ollama with its default num_ctx keeps only the end of a long prompt and says prompt_tokens=2048.
    long_user = "\n".join(f"[s{i:04d} 00:00:{i % 60:02d}] Anna: we discuss item number {i} in detail"
                          for i in range(1, 800))
    messages = [MESSAGES[0], {"role": "user", "content": long_user}]
    server.script(reply_json(sample_protocol(), prompt_tokens=2048))
    with pytest.raises(LLMError, match="read only 2048 prompt tokens") as info:
        LLMSession(make_settings(server, tmp_path)).complete_json(messages, WireProtocol)
    assert info.value.hint and "num_ctx" in info.value.hint
    assert info.value.usage["prompt_tokens"] == 2048


def test_full_prompt_count_is_not_flagged(server: FakeOpenAI, tmp_path: Path) -> None:
    long_user = "word " * 8000
    server.script(reply_json(sample_protocol()))  # fake counts ~4 chars per token, like a real tokenizer
    reply = LLMSession(make_settings(server, tmp_path)).complete_json(
        [MESSAGES[0], {"role": "user", "content": long_user}], WireProtocol)
    assert reply.attempts == 1


def test_garbage_forever_gives_up_after_one_plus_reasks(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(*(reply_text("I am not JSON, sorry.") for _ in range(5)))
    session = LLMSession(make_settings(server, tmp_path, llm_max_reasks=2))
    with pytest.raises(LLMError) as info:
        session.complete_json(MESSAGES, WireProtocol)
    err = info.value
    assert err.attempts == 3 and len(server.requests) == 3 and server.remaining == 2
    assert err.last_raw == "I am not JSON, sorry."
    assert [h["attempt"] for h in err.history] == [1, 2, 3]
    assert all("no JSON object" in h["error"] for h in err.history)
    assert err.usage["requests"] == 3
    assert err.hint and "--offline" in err.hint


def test_usage_and_cost(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_json(sample_protocol(), prompt_tokens=1000))
    settings = make_settings(server, tmp_path, price_prompt_per_1k=0.5, price_completion_per_1k=2.0)
    session = LLMSession(settings)
    session.complete_json(MESSAGES, WireProtocol)
    usage = session.usage.to_usage(settings)
    assert usage.prompt_tokens == 1000 and usage.requests == 1
    assert usage.cost == pytest.approx(0.5 + usage.completion_tokens / 1000 * 2.0)
    assert LLMSession(make_settings(server, tmp_path)).usage.to_usage(settings).cost == 0.0


def test_dummy_key_for_keyless_servers_and_bad_mode(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_json(sample_protocol()))
    LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert server.headers[0]["authorization"].startswith("Bearer ")
    with pytest.raises(ConfigError, match="llm_mode"):
        LLMSession(make_settings(server, tmp_path, llm_mode="yaml"))


# --------------------------------------------------------------------------------------------------
# max_tokens, streaming, progress, measured speed
# --------------------------------------------------------------------------------------------------
def test_every_request_sends_max_tokens(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_json(sample_protocol()), reply_json(sample_protocol()))
    session = LLMSession(make_settings(server, tmp_path, llm_max_tokens=777))
    session.complete_json(MESSAGES, WireProtocol)
    session.complete_json(MESSAGES, WireProtocol, max_tokens=123)
    assert [r["max_tokens"] for r in server.requests] == [777, 123]


def test_replies_are_streamed_with_progress_and_measured_speed(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply(build=reply_json(sample_protocol()).build, event_delay=0.01))
    seen: list[Any] = []
    session = LLMSession(make_settings(server, tmp_path), progress=seen.append)
    reply = session.complete_json(MESSAGES, WireProtocol, max_tokens=2000)
    assert reply.value.purpose == "Agree the launch plan"
    [request] = server.requests
    assert request["stream"] is True and request["stream_options"] == {"include_usage": True}
    assert session.usage.prompt_tokens > 0 and session.usage.completion_tokens > 0
    # the last report is the finished reply; earlier ones (every 2 s) carry a rate and an ETA bound
    final = seen[-1]
    assert final.tokens == session.usage.completion_tokens and final.eta_seconds == 0.0
    assert final.max_tokens == 2000 and final.tokens_per_second and final.tokens_per_second > 0
    assert session.speed is not None and session.speed.gen_tps > 0
    stored = json.loads((tmp_path / "cache" / "llm_speed.json").read_text())
    assert stored["fake-model"]["gen_tps"] > 0  # loopback endpoints are remembered by model


def test_measured_speed_sets_the_request_deadline(server: FakeOpenAI, tmp_path: Path) -> None:
    settings = make_settings(server, tmp_path, llm_timeout=10.0, llm_request_timeout=1000.0)
    session = LLMSession(settings)
    assert session.request_budget(1000, 500)[0] == 1000.0  # nothing measured: the cap
    from summarizer.llm.stream import Speed

    session.speed = Speed(prompt_tps=50.0, gen_tps=10.0)
    budget, reason = session.request_budget(1000, 500)
    assert budget == pytest.approx(1.5 * (1000 / 50 + 500 / 10) + 10.0)
    assert "10.0 tokens/s" in reason


def test_a_server_that_ignores_stream_is_read_plainly(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(Reply(build=reply_json(sample_protocol()).build, stream=False))
    reply = LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert reply.value.closing == "Thanks everyone."


def test_streaming_can_be_switched_off(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_json(sample_protocol()))
    LLMSession(make_settings(server, tmp_path, llm_stream=False)).complete_json(MESSAGES, WireProtocol)
    assert "stream" not in server.requests[0]


def test_a_server_rejecting_stream_options_is_asked_without_them(server: FakeOpenAI, tmp_path: Path) -> None:
    server.script(reply_error(400, "Unrecognized request argument supplied: stream_options"),
                  reply_json(sample_protocol()))
    reply = LLMSession(make_settings(server, tmp_path)).complete_json(MESSAGES, WireProtocol)
    assert reply.mode == "json_schema"  # not mistaken for a rejected response_format
    assert "stream" not in server.requests[1]
    assert server.requests[1]["response_format"]["type"] == "json_schema"


def test_stream_reader_reads_events_and_reports_errors() -> None:
    from summarizer.llm.stream import BadReply, StreamReader

    reader = StreamReader()
    lines = [": keep-alive", "",
             'data: {"choices": [{"index": 0, "delta": {"role": "assistant", "content": "{\\"a\\""}}]}',
             'data: {"choices": [{"index": 0, "delta": {"content": ": 1}"}, "finish_reason": "stop"}]}',
             'data: {"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 2}}',
             "data: [DONE]"]
    assert [reader.feed(line) for line in lines] == [False, False, True, True, False, False]
    done = reader.result()
    assert done.content == '{"a": 1}' and done.finish == "stop" and done.completion_tokens == 2
    with pytest.raises(BadReply, match="mid-stream"):
        StreamReader().feed('data: {"error": {"message": "slot unavailable"}}')
    with pytest.raises(BadReply, match="not JSON"):
        StreamReader().feed("data: {truncated")
