"""The bench pairs predicted items with gold ones by shared evidence before wording (bench/extract.py
``_match``): a loose wording match must not take an item whose evidence belongs to a later gold item."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("bench_extract", ROOT / "bench" / "extract.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("bench_extract", module)
    spec.loader.exec_module(module)
    return module


def test_evidence_pairs_first_then_wording() -> None:
    bench = _bench()
    gold = [
        {"text": "Реквизиты", "evidence": ["s0028"]},
        {"text": "Прислать реквизиты и выписку из ЕГРЮЛ", "evidence": ["s0029", "s0030"]},
    ]
    pred = [{"text": "Сергей пришлёт реквизиты и выписку из ЕГРЮЛ до пятницы", "cited": {"s0029"}}]
    pairs = bench._match(pred, gold)
    assert [(p["text"], g["text"]) for p, g in pairs] == [(pred[0]["text"], gold[1]["text"])]
    # with no shared evidence, wording still pairs them
    alone = bench._match([{"text": "Реквизиты до пятницы", "cited": {"s0040"}}], gold[:1])
    assert len(alone) == 1
