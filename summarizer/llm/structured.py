"""Structured output without the network: the strict JSON schema a model is asked to fill, and the
lenient reading of whatever it answers. Pure functions; ``summarizer.llm.session`` does the talking.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import BaseModel, ValidationError


def estimate_tokens(text: str) -> int:
    """Rough token count: ~4 characters per token for Latin text, ~3 for Cyrillic and others.

    Used both to size chunks and to notice a server that read far less than we sent; it only
    needs to be right within a factor well under two."""
    ascii_chars = sum(1 for ch in text if ord(ch) < 128)
    other = len(text) - ascii_chars
    return int(ascii_chars / 4 + other / 3) + 1


_DROP_KEYS = {"title", "default", "format", "examples"}


def _strictify(node: Any, defs: dict[str, Any]) -> Any:
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP_KEYS:
            continue
        if key in ("properties", "$defs"):
            # keys here are field names (a field may be called "title"), only the values are schemas
            out[key] = {name: _strictify(sub, defs) for name, sub in value.items()}
        elif key in ("items", "not") and isinstance(value, dict):
            out[key] = _strictify(value, defs)
        elif key in ("anyOf", "allOf", "oneOf", "prefixItems"):
            out[key] = [_strictify(sub, defs) for sub in value]
        else:
            out[key] = value
    # strict mode takes neither oneOf nor a one-element allOf wrapper
    if "oneOf" in out:
        out["anyOf"] = out.pop("oneOf")
    if "allOf" in out and len(out["allOf"]) == 1:
        inner = out.pop("allOf")[0]
        out = {**inner, **out}
    if "$ref" in out and len(out) > 1:
        # strict mode forbids keywords beside $ref; keep the description by inlining the definition
        name = out["$ref"].rsplit("/", 1)[-1]
        inlined = dict(defs.get(name, {}))
        inlined.update({k: v for k, v in out.items() if k != "$ref"})
        out = _strictify(inlined, defs) if name in defs else {"$ref": out["$ref"]}
    if out.get("type") == "object" or "properties" in out:
        out["properties"] = out.get("properties", {})
        out["required"] = list(out["properties"])
        out["additionalProperties"] = False
    return out


def strict_json_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema made acceptable to ``json_schema`` with ``strict: true``:
    every object closed (``additionalProperties: false``) with every property required, and no
    ``title``/``default``/``format`` keywords."""
    schema = model.model_json_schema()
    defs = schema.get("$defs", {})
    return dict(_strictify(schema, defs))


_THINK_RE = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.S | re.I)
_FENCE_RE = re.compile(r"```[ \t]*(?:json|JSON|jsonc)?[ \t]*\n?(.*?)```", re.S)


def strip_reasoning(raw: str) -> str:
    text = _THINK_RE.sub("", raw)
    # Some reasoning models (DeepSeek-R1 distils on Ollama) drop the opening tag and keep the closing one.
    for closing in ("</think>", "</thinking>", "</reasoning>"):
        if closing in text:
            text = text.rsplit(closing, 1)[1]
    return text.strip()


def parse_json_reply(raw: str) -> Any:
    """The JSON value in a model reply: bare, inside ``` fences, or embedded in prose."""
    text = strip_reasoning(raw)
    if "{" not in text:
        raise ValueError("the reply contains no JSON object")
    candidates = [text, *(block.strip() for block in _FENCE_RE.findall(text))]
    first, last = text.find("{"), text.rfind("}")
    if 0 <= first < last:
        candidates.append(text[first : last + 1])
    error: json.JSONDecodeError | None = None
    for candidate in candidates:
        if not candidate:
            continue
        try:
            return json.loads(candidate)
        except json.JSONDecodeError as exc:
            error = error or exc
    if error is None:
        raise ValueError("the reply contains no JSON object")
    raise ValueError(f"the reply is not valid JSON ({error.msg} at line {error.lineno} column {error.colno})")


def describe_validation_error(exc: Exception, *, limit: int = 20) -> str:
    if isinstance(exc, ValidationError):
        lines = []
        for err in exc.errors(include_url=False)[:limit]:
            loc = ".".join(str(part) for part in err["loc"]) or "(root)"
            lines.append(f"- {loc}: {err['msg']}")
        more = exc.error_count() - limit
        if more > 0:
            lines.append(f"- ... and {more} more")
        return "the JSON does not match the schema:\n" + "\n".join(lines)
    return str(exc)
