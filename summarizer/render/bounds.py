"""Limits on what a (user-supplied) template may cost: loop steps, range sizes, powers, output, time.

Jinja's sandbox stops attribute tricks but not work: ``range(10**9)`` ended in "unexpected
OverflowError", and two nested loops over ``range(99999)`` ran without end. A company template is
data, so a render that runs away is stopped with a ``RenderError`` that says which limit it hit.
Loops cannot be hooked in Jinja, so every sequence a template can iterate (``range`` and every list
or dict in the view) is wrapped in a type whose iterator counts steps and checks the deadline.
"""

from __future__ import annotations

import math
import operator
import time
from collections.abc import Iterator
from typing import Any

from jinja2.sandbox import ImmutableSandboxedEnvironment

from summarizer.errors import RenderError

# A protocol of a 10-hour meeting renders in well under a second with a few 10^4 loop steps; these
# bounds are orders of magnitude above that and still stop a runaway template within seconds.
MAX_RANGE = 100_000  # items in one range()
MAX_LOOP_STEPS = 5_000_000  # loop iterations in one render, all loops together
MAX_OUTPUT_CHARS = 50_000_000  # characters of rendered text
MAX_SECONDS = 20.0  # wall time of one render
MAX_POWER_BITS = 4096  # size of a ** result
MAX_REPEAT = 10_000_000  # length of "x" * n or [..] * n


class Budget:
    """The cost of one render so far; ``step`` is called for every loop iteration."""

    def __init__(self, where: str, *, seconds: float = MAX_SECONDS, steps: int = MAX_LOOP_STEPS) -> None:
        self.where = where
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.max_steps = steps
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.max_steps:
            raise RenderError(
                f"template {self.where} stopped: its loops ran more than {self.max_steps:,} steps",
                hint="a protocol template needs far fewer; look for nested loops or a large range()",
            )
        if self.steps % 1024 == 0:
            self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise RenderError(
                f"template {self.where} stopped: rendering took longer than {self.seconds:g} s",
                hint="a protocol template renders in well under a second; look for nested loops",
            )


class _Seq(list[Any]):
    """A list whose iteration counts against the render's budget."""

    budget: Budget

    def __iter__(self) -> Iterator[Any]:
        budget = self.budget
        for item in list.__iter__(self):
            budget.step()
            yield item


class _Map(dict[Any, Any]):
    """A dict whose iteration (``for k in d``) counts against the budget; ``.items()`` is wrapped too."""

    budget: Budget

    def __iter__(self) -> Iterator[Any]:
        budget = self.budget
        for key in dict.__iter__(self):
            budget.step()
            yield key

    def items(self) -> Any:
        return _seq([(k, v) for k, v in dict.items(self)], self.budget)

    def values(self) -> Any:
        return _seq(list(dict.values(self)), self.budget)

    def keys(self) -> Any:
        return _seq(list(dict.keys(self)), self.budget)


def _seq(items: list[Any], budget: Budget) -> _Seq:
    seq = _Seq(items)
    seq.budget = budget
    return seq


def bounded(value: Any, budget: Budget) -> Any:
    """The view with every list, tuple and dict replaced by a budgeted one (strings stay as they are)."""
    if isinstance(value, dict):
        out = _Map({k: bounded(v, budget) for k, v in value.items()})
        out.budget = budget
        return out
    if isinstance(value, list | tuple):
        return _seq([bounded(v, budget) for v in value], budget)
    return value


def make_range(budget: Budget) -> Any:
    def bounded_range(*args: int) -> _Seq:
        span = range(*args)
        if len(span) > MAX_RANGE:
            raise RenderError(
                f"template {budget.where}: range() of {len(span):,} items (the limit is {MAX_RANGE:,})",
                hint="a protocol template never needs such a range",
            )
        return _LazyRange(span, budget)

    return bounded_range


class _LazyRange(_Seq):
    """range() without building the list up front; iterating it counts steps."""

    def __init__(self, span: range, budget: Budget) -> None:
        super().__init__()
        self.span = span
        self.budget = budget

    def __iter__(self) -> Iterator[int]:
        budget = self.budget
        for item in self.span:
            budget.step()
            yield item

    def __len__(self) -> int:
        return len(self.span)


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox plus bounds on ``**`` and on repeating a string or list with ``*``."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**" and isinstance(left, int | float) and isinstance(right, int | float):
            size = abs(right) * math.log2(abs(left)) if abs(left) > 1 and right > 0 else 0
            if size > MAX_POWER_BITS:
                raise RenderError(f"template: {left} ** {right} is too large to compute",
                                  hint="a protocol template never needs such a number")
            return operator.pow(left, right)
        if operator_name == "*":
            for seq, count in ((left, right), (right, left)):
                if (isinstance(seq, str | list | tuple) and isinstance(count, int)
                        and len(seq) * count > MAX_REPEAT):
                    raise RenderError(f"template: repeating a value {count:,} times is too large",
                                      hint="a protocol template never needs such a repetition")
            return operator.mul(left, right)
        return super().call_binop(context, operator_name, left, right)


def render_bounded(template: Any, context: dict[str, Any], where: str) -> str:
    """Render with every bound above; the output is collected in chunks so its size can be checked."""
    budget = Budget(where)
    view = bounded(context, budget)
    view["range"] = make_range(budget)
    parts: list[str] = []
    size = 0
    for chunk in template.generate(**view):
        size += len(chunk)
        if size > MAX_OUTPUT_CHARS:
            raise RenderError(
                f"template {where} stopped: its output passed {MAX_OUTPUT_CHARS:,} characters",
                hint="a protocol is a few pages; look for loops that repeat text",
            )
        parts.append(chunk)
        budget.check_time()
    return "".join(parts)
