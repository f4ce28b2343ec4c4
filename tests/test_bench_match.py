"""The bench pairs predicted items with gold ones by shared evidence before wording (bench/extract.py
``_match``): a loose wording match must not take an item whose evidence belongs to a later gold item."""

from __future__ import annotations

from bench_support import load_bench


def test_evidence_pairs_first_then_wording() -> None:
    bench = load_bench("extract")
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
