"""National insight: means, distributions and the geometry of the server-rendered charts.

Pure: plain values in, values out. No ORM, no settings, no clock. The queries
(``assurance/queries/insight.py``) count; these functions turn counts into means and into
the positions of SVG shapes, so a chart is tested without a browser or a database.

Every chart is drawn from the same figures as the table under it, and every bar carries its
figure as text: colour is never the only way to tell two things apart (WCAG 1.4.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWO_PLACES = Decimal("0.01")
LEVELS: tuple[int, ...] = (1, 2, 3, 4)


def mean(total: int | Decimal, count: int) -> Decimal | None:
    """A mean to two decimals (half up), or None when nothing was counted."""
    if count <= 0:
        return None
    return (Decimal(total) / count).quantize(TWO_PLACES, ROUND_HALF_UP)


def mean_of_counts(counts: Mapping[int, int]) -> Decimal | None:
    """The mean level from how many PCTs are at each level: {1: 3, 2: 5} → 1.63."""
    n = sum(counts.values())
    return mean(sum(level * k for level, k in counts.items()), n)


def difference(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    """a − b, or None when either side is missing."""
    if a is None or b is None:
        return None
    return a - b


# --- bars: one or more series per row, on a common scale --------------------------------


@dataclass(frozen=True)
class Bar:
    series: int  # which series (0, 1, …): the CSS class and the legend entry
    label: str  # the series' name, for the bar's tooltip and the text beside it
    x: float
    y: float
    width: float
    height: float
    text: str  # the figure, written beside the bar
    text_x: float


@dataclass(frozen=True)
class BarRow:
    label: str
    y: float  # baseline of the row's label
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Tick:
    x: float
    text: str


@dataclass(frozen=True)
class LegendItem:
    series: int
    label: str
    x: float


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: int
    top: int
    bottom: int  # y of the axis
    rows: tuple[BarRow, ...]
    ticks: tuple[Tick, ...]
    legend: tuple[LegendItem, ...]


def _figure(value: Decimal | int | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, Decimal):
        return f"{value.quantize(TWO_PLACES, ROUND_HALF_UP):f}"
    return str(value)


def bar_chart(
    rows: Sequence[tuple[str, Sequence[Decimal | int | None]]],
    series: Sequence[str],
    *,
    maximum: Decimal | int,
    ticks: Sequence[Decimal | int],
    short: Sequence[str] | None = None,
    left: int = 240,
    plot_width: int = 400,
    bar_height: int = 12,
    gap: int = 12,
) -> BarChart:
    """Horizontal bars: for each row one bar per series, scaled so ``maximum`` fills
    ``plot_width``. A missing value (None) draws no bar but still writes "–". ``short``:
    a word per series written before each figure, so no bar is told apart by colour alone."""
    if short is not None and len(short) != len(series):
        raise ValueError("one short name per series")
    if maximum <= 0:
        raise ValueError("maximum must be positive")
    scale = Decimal(plot_width) / Decimal(maximum)
    top = 28  # room for the legend
    y = float(top)
    out_rows: list[BarRow] = []
    for label, values in rows:
        if len(values) != len(series):
            raise ValueError(f"row {label!r} has {len(values)} values for {len(series)} series")
        bars = []
        for i, value in enumerate(values):
            width = float(min(Decimal(value), Decimal(maximum)) * scale) if value else 0.0
            bar_y = y + i * (bar_height + 2)
            bars.append(
                Bar(
                    series=i,
                    label=series[i],
                    x=float(left),
                    y=bar_y,
                    width=round(width, 1),
                    height=float(bar_height),
                    text=f"{short[i]} {_figure(value)}" if short else _figure(value),
                    text_x=round(left + width + 4, 1),
                )
            )
        block = len(series) * (bar_height + 2)
        out_rows.append(BarRow(label=label, y=round(y + block / 2 + 4, 1), bars=tuple(bars)))
        y += block + gap
    bottom = int(y)
    return BarChart(
        width=left + plot_width + 60,
        height=bottom + 20,
        left=left,
        top=top,
        bottom=bottom,
        rows=tuple(out_rows),
        ticks=tuple(
            Tick(x=float(round(left + Decimal(t) * scale, 1)), text=_figure(t)) for t in ticks
        ),
        legend=tuple(LegendItem(series=i, label=s, x=float(i * 190)) for i, s in enumerate(series)),
    )


# --- stacked bars: how a whole divides ----------------------------------------------------


@dataclass(frozen=True)
class Segment:
    key: str  # what the segment counts (a level, a rating, a tier): its CSS class
    label: str
    count: int
    x: float
    width: float
    text: str  # what is written inside: the key's short name and the count
    show_text: bool  # wide enough to write the text inside


@dataclass(frozen=True)
class StackedRow:
    label: str
    y: float
    total: int
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class StackedChart:
    width: int
    height: int
    left: int
    plot_width: int
    bar_height: int
    rows: tuple[StackedRow, ...]
    legend: tuple[tuple[str, str, float], ...]  # (key, label, x)


#: Narrower than this, a segment's count would not fit inside it: it is in the table.
MIN_TEXT_WIDTH = 22.0
#: About the width of a character of the charts' 13 px text, to tell whether a text fits.
CHAR_WIDTH = 7.5


def _text_width(text: str) -> float:
    return max(MIN_TEXT_WIDTH, CHAR_WIDTH * len(text) + 8)


def stacked_chart(
    rows: Sequence[tuple[str, Sequence[int]]],
    keys: Sequence[tuple[str, str]],
    *,
    short: Sequence[str] | None = None,
    left: int = 240,
    plot_width: int = 400,
    bar_height: int = 22,
    gap: int = 10,
) -> StackedChart:
    """One full-width bar per row, split into segments in proportion to the counts
    (``keys``: (key, label) per count, in the order drawn). A row counting nothing has
    no segments. ``short``: a word per key written before the count inside a segment wide
    enough for it ("L2 106", "Red 3"), so a segment is not told by its colour alone."""
    if short is not None and len(short) != len(keys):
        raise ValueError("one short name per key")
    top = 28
    out_rows = []
    y = float(top)
    for label, counts in rows:
        if len(counts) != len(keys):
            raise ValueError(f"row {label!r} has {len(counts)} counts for {len(keys)} keys")
        total = sum(counts)
        x = float(left)
        segments = []
        for i, ((key, key_label), count) in enumerate(zip(keys, counts, strict=True)):
            if not count:
                continue
            width = plot_width * count / total
            # The name and count where both fit; else the count alone (the segments keep the
            # legend's order); else nothing (the table has it).
            text = f"{short[i]} {count}" if short else str(count)
            if width < _text_width(text):
                text = str(count)
            segments.append(
                Segment(
                    key=key,
                    label=key_label,
                    count=count,
                    x=round(x, 1),
                    width=round(width, 1),
                    text=text,
                    show_text=width >= _text_width(text),
                )
            )
            x += width
        out_rows.append(StackedRow(label=label, y=y, total=total, segments=tuple(segments)))
        y += bar_height + gap
    return StackedChart(
        width=left + plot_width + 60,
        height=int(y) + 4,
        left=left,
        plot_width=plot_width,
        bar_height=bar_height,
        rows=tuple(out_rows),
        legend=tuple((key, label, float(i * 130)) for i, (key, label) in enumerate(keys)),
    )


# --- a PCT over the years: rank and mark ---------------------------------------------------


@dataclass(frozen=True)
class Point:
    label: str  # the year
    x: float
    y: float
    text: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: int
    top: int
    bottom: int
    points: tuple[Point, ...]
    path: str  # the polyline's points attribute
    ticks: tuple[tuple[float, str], ...]  # (y, text) on the vertical axis


def line_chart(
    points: Sequence[tuple[str, Decimal | int]],
    *,
    low: Decimal | int,
    high: Decimal | int,
    inverted: bool = False,
    width: int = 320,
    height: int = 160,
    left: int = 44,
) -> LineChart:
    """One value per year, joined by a line. ``inverted``: ``low`` at the top (rank 1 is
    best, so it is drawn highest). The years spread evenly left to right."""
    if high <= low:
        raise ValueError("high must be above low")
    # Room above the top line for a point's figure, and beside the axis for its labels.
    top, bottom = 26, height - 28
    span = Decimal(high) - Decimal(low)
    plot = Decimal(bottom - top)
    first, last = left + 28, width - 36
    step = (last - first) / (len(points) - 1) if len(points) > 1 else 0.0

    def y_of(value: Decimal | int) -> float:
        share = (Decimal(value) - Decimal(low)) / span
        return float(round(top + share * plot if inverted else bottom - share * plot, 1))

    out = tuple(
        Point(
            label=label,
            x=round(first + i * step if len(points) > 1 else (first + last) / 2, 1),
            y=y_of(value),
            text=_figure(value),
        )
        for i, (label, value) in enumerate(points)
    )
    return LineChart(
        width=width,
        height=height,
        left=left,
        top=top,
        bottom=bottom,
        points=out,
        path=" ".join(f"{p.x},{p.y}" for p in out),
        ticks=((y_of(low), _figure(low)), (y_of(high), _figure(high))),
    )
