"""How long a stage has left, at the pace so far: the CLI's progress line and the web job page."""

from __future__ import annotations


def estimate_remaining(fraction: float, elapsed: float) -> float | None:
    """Seconds left at the pace so far; None until there is enough to go on (2 % and 2 s)."""
    if fraction < 0.02 or elapsed < 2.0 or fraction >= 1.0:
        return None
    return elapsed * (1.0 - fraction) / fraction
