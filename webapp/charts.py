"""Bar-chart geometry for inline SVG drawn by Jinja (no chart library, no style="").

Functions return numbers only; templates put them in attributes and CSS classes
colour the marks, so print and forced-colour modes work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 600


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its rectangle, its value label and its axis label."""

    x: float
    y: float
    width: float
    height: float
    value_x: float
    value_y: float
    value_text: str
    axis_x: float
    axis_y: float
    axis_text: str


@dataclass(frozen=True, slots=True)
class Chart:
    """A bar chart's view box, bars and axis line."""

    width: int
    height: int
    bars: tuple[Bar, ...]
    axis_x1: float
    axis_y1: float
    axis_x2: float
    axis_y2: float


def columns(
    values: Sequence[float],
    axis_texts: Sequence[str],
    value_texts: Sequence[str],
    *,
    top: float | None = None,
    height: int = 260,
) -> Chart:
    """Lay out vertical bars (e.g. a score histogram), tallest at `top`."""
    left, right, above, below = 10.0, 10.0, 28.0, 36.0
    n = max(1, len(values))
    top = top if top is not None else max([*values, 1.0])
    top = top or 1.0
    slot = (WIDTH - left - right) / n
    plot = height - above - below
    base = height - below
    bars = []
    for i, (v, axis, text) in enumerate(
        zip(values, axis_texts, value_texts, strict=True)
    ):
        h = plot * max(0.0, v) / top
        x = left + i * slot + slot * 0.1
        bars.append(
            Bar(
                x=round(x, 1),
                y=round(base - h, 1),
                width=round(slot * 0.8, 1),
                height=round(h, 1),
                value_x=round(x + slot * 0.4, 1),
                value_y=round(base - h - 6, 1),
                value_text=text,
                axis_x=round(x + slot * 0.4, 1),
                axis_y=round(base + 22, 1),
                axis_text=axis,
            )
        )
    return Chart(WIDTH, height, tuple(bars), left, base, WIDTH - right, base)


def rows(
    values: Sequence[float],
    axis_texts: Sequence[str],
    value_texts: Sequence[str],
    *,
    top: float = 1.0,
) -> Chart:
    """Lay out horizontal bars (e.g. share correct per question), full at `top`."""
    left, right, row_h, pad = 64.0, 64.0, 30.0, 10.0
    height = int(pad * 2 + row_h * max(1, len(values)))
    plot = WIDTH - left - right
    bars = []
    for i, (v, axis, text) in enumerate(
        zip(values, axis_texts, value_texts, strict=True)
    ):
        w = plot * max(0.0, min(v, top)) / (top or 1.0)
        y = pad + i * row_h + 5
        bars.append(
            Bar(
                x=left,
                y=round(y, 1),
                width=round(w, 1),
                height=row_h - 10,
                value_x=round(left + w + 6, 1),
                value_y=round(y + 15, 1),
                value_text=text,
                axis_x=left - 8,
                axis_y=round(y + 15, 1),
                axis_text=axis,
            )
        )
    return Chart(WIDTH, height, tuple(bars), left, pad, left, height - pad)
