"""Charts drawn on the server as inline SVG: no JavaScript, nothing to load.

Each chart is a ``<figure>`` holding an SVG with ``<title>`` and ``<desc>`` (named by
``aria-labelledby``) and a data table for screen readers and print (``chart-data``).
Colours come from CSS classes (``static/css/charts.css``): the CSP forbids style
attributes, and print can switch to patterns. Every label is escaped.

    line_chart(title=…, description=…, labels=["2026-01", …],
               series=[Series("Patientèle", [812, 820, …])], target=900)
    bar_chart(title=…, description=…, labels=[…], gains=[…], losses=[…])
    sparkline([812, 820, …], label="Patientèle sur 12 mois")
"""

import itertools
from dataclasses import dataclass

from markupsafe import Markup, escape

_ids = itertools.count(1)

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36


@dataclass(frozen=True)
class Series:
    name: str
    values: list
    #: CSS class of the line (``series-1`` … ``series-4``).
    css: str = "series-1"


def _markup(html: str) -> Markup:
    # Every label and caption was passed through ``escape`` while building ``html``.
    return Markup(html)  # noqa: S704


def _fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.1f}".replace(".", ",")
    return f"{int(value):,}".replace(",", "\u202f")


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    step = 10 ** (len(str(int(value))) - 1)
    return ((int(value) // step) + 1) * step


def _scale(low: float, high: float, top: float, bottom: float):
    span = (high - low) or 1
    return lambda v: bottom - (v - low) * (bottom - top) / span


def _table(caption: str, labels: list[str], columns: list[tuple[str, list]]) -> str:
    head = "".join(f'<th scope="col">{escape(name)}</th>' for name, _ in columns)
    rows = "".join(
        f'<tr><th scope="row">{escape(label)}</th>'
        + "".join(f"<td>{_fmt(values[i])}</td>" for _, values in columns)
        + "</tr>"
        for i, label in enumerate(labels)
    )
    return (
        f'<table class="table chart-data"><caption>{escape(caption)}</caption>'
        f'<thead><tr><th scope="col">Mois</th>{head}</tr></thead><tbody>{rows}</tbody></table>'
    )


def _frame(title: str, description: str, body: str, width: int, height: int) -> str:
    n = next(_ids)
    return (
        f'<svg class="chart-svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-{n}-title chart-{n}-desc" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="chart-{n}-title">{escape(title)}</title>'
        f'<desc id="chart-{n}-desc">{escape(description)}</desc>{body}</svg>'
    )


def _axes(labels, low, high, y, x_of, width, height) -> list[str]:
    parts = []
    for i in range(5):
        value = low + (high - low) * i / 4
        py = y(value)
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{width - RIGHT}" y1="{py:.1f}" '
            f'y2="{py:.1f}"/><text class="chart-tick" x="{LEFT - 6}" y="{py + 4:.1f}" '
            f'text-anchor="end">{_fmt(round(value))}</text>'
        )
    every = max(1, len(labels) // 8)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            parts.append(
                f'<text class="chart-tick" x="{x_of(i):.1f}" y="{height - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    return parts


def _legend(entries: list[tuple[str, str]]) -> str:
    items = "".join(
        f'<li><span class="chart-key {escape(css)}" aria-hidden="true"></span>{escape(name)}</li>'
        for name, css in entries
    )
    return f'<ul class="chart-legend">{items}</ul>'


def line_chart(
    *,
    title: str,
    description: str,
    labels: list[str],
    series: list[Series],
    target: float | None = None,
    target_label: str = "Objectif",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """Lines of several series over the same labels, with an optional target line."""
    values = [v for s in series for v in s.values if v is not None]
    high = _nice_max(max(values + ([target] if target is not None else []) + [0]))
    y = _scale(0, high, TOP, height - BOTTOM)
    count = max(1, len(labels) - 1)

    def x_of(i: int) -> float:
        return LEFT + (width - LEFT - RIGHT) * i / count

    parts = _axes(labels, 0, high, y, x_of, width, height)
    if target is not None:
        parts.append(
            f'<line class="chart-target" x1="{LEFT}" x2="{width - RIGHT}" y1="{y(target):.1f}" '
            f'y2="{y(target):.1f}"><title>{escape(target_label)} : {_fmt(target)}</title></line>'
        )
    for s in series:
        points = " ".join(
            f"{x_of(i):.1f},{y(v):.1f}" for i, v in enumerate(s.values) if v is not None
        )
        parts.append(f'<polyline class="chart-line {escape(s.css)}" points="{points}"/>')
        if len(s.values) == 1 and s.values[0] is not None:
            parts.append(
                f'<circle class="chart-dot {escape(s.css)}" cx="{x_of(0):.1f}" '
                f'cy="{y(s.values[0]):.1f}" r="3"/>'
            )
    legend = [(s.name, s.css) for s in series]
    columns = [(s.name, s.values) for s in series]
    if target is not None:
        legend.append((target_label, "chart-target-key"))
        columns.append((target_label, [target] * len(labels)))
    return _markup(
        '<figure class="chart-figure">'
        + _frame(title, description, "".join(parts), width, height)
        + _legend(legend)
        + _table(title, labels, columns)
        + "</figure>"
    )


def bar_chart(
    *,
    title: str,
    description: str,
    labels: list[str],
    gains: list[int],
    losses: list[int],
    gain_label: str = "Gains",
    loss_label: str = "Pertes",
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Markup:
    """Gains above the axis, losses below it, one pair of bars per label."""
    high = _nice_max(max(gains + losses + [0]))
    y = _scale(-high, high, TOP, height - BOTTOM)
    slot = (width - LEFT - RIGHT) / max(1, len(labels))
    bar = max(1.0, slot * 0.35)

    def x_of(i: int) -> float:
        return LEFT + slot * (i + 0.5)

    parts = _axes(labels, -high, high, y, x_of, width, height)
    zero = y(0)
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{width - RIGHT}" y1="{zero:.1f}" '
        f'y2="{zero:.1f}"/>'
    )
    for i, label in enumerate(labels):
        gain, loss = gains[i], losses[i]
        if gain:
            parts.append(
                f'<rect class="chart-bar chart-gain" x="{x_of(i) - bar:.1f}" '
                f'y="{y(gain):.1f}" width="{bar:.1f}" height="{zero - y(gain):.1f}">'
                f"<title>{escape(label)} : +{gain}</title></rect>"
            )
        if loss:
            parts.append(
                f'<rect class="chart-bar chart-loss" x="{x_of(i):.1f}" y="{zero:.1f}" '
                f'width="{bar:.1f}" height="{y(-loss) - zero:.1f}">'
                f"<title>{escape(label)} : −{loss}</title></rect>"
            )
    return _markup(
        '<figure class="chart-figure">'
        + _frame(title, description, "".join(parts), width, height)
        + _legend([(gain_label, "chart-gain"), (loss_label, "chart-loss")])
        + _table(title, labels, [(gain_label, gains), (loss_label, losses)])
        + "</figure>"
    )


def sparkline(
    values: list, *, label: str, target: float | None = None, width: int = 120, height: int = 32
) -> Markup:
    """A small line without axes; ``label`` says in words what it shows."""
    known = [v for v in values if v is not None]
    if not known:
        return Markup()
    low = min(known + ([target] if target is not None else []))
    high = max(known + ([target] if target is not None else []))
    y = _scale(low, high, 3, height - 3)
    count = max(1, len(values) - 1)
    points = " ".join(
        f"{2 + (width - 4) * i / count:.1f},{y(v):.1f}"
        for i, v in enumerate(values)
        if v is not None
    )
    body = f'<polyline class="chart-line series-1" points="{points}"/>'
    if target is not None:
        body = (
            f'<line class="chart-target" x1="2" x2="{width - 2}" y1="{y(target):.1f}" '
            f'y2="{y(target):.1f}"/>' + body
        )
    return _markup(
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(label)}</title>{body}</svg>'
    )
