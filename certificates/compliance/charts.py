"""Line charts drawn on the server as inline SVG: no script, no chart library, no external asset.

Each line has its own dash pattern and marker shape and is labelled at its last point, so the chart
reads without colour; the caller puts the numbers in a table next to it."""

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

#: Dash patterns, marker shapes and colours given to the lines in order (colour is never the only cue).
DASHES = ("", "8 5", "2 4", "12 4 2 4")
MARKERS = ("circle", "square", "triangle", "diamond")
COLOURS = ("#0b5cad", "#a34700", "#1b6b34", "#6b2c91")

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 150, 16, 44


@dataclass(frozen=True)
class Series:
    """One line: its label and (day, share between 0 and 1 or None when unknown) points."""

    label: str
    points: list[tuple[date, float | None]]


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span / 2 if count == 1 else span * index / (count - 1))


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - max(0.0, min(1.0, share)))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "triangle":
        return (f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y + 4:.1f} L{x - 5:.1f} {y + 4:.1f} Z" '
                f'fill="{colour}"/>')
    return (f'<path d="M{x:.1f} {y - 5:.1f} L{x + 5:.1f} {y:.1f} L{x:.1f} {y + 5:.1f} '
            f'L{x - 5:.1f} {y:.1f} Z" fill="#fff" stroke="{colour}" stroke-width="2"/>')


def _axes(days: list[date], y_label: str, x_label: str) -> list[str]:
    """Horizontal grid lines at every 25 %, month labels under the axis (thinned to fit)."""
    parts = []
    for step in range(5):
        share = step / 4
        y = _y(share)
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" '
                     f'stroke="#d6dde6" stroke-width="1"/>')
        parts.append(f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" font-size="12" '
                     f'fill="#4f5b6a">{step * 25}%</text>')
    every = max(1, -(-len(days) // 8))  # at most about eight labels along the axis
    for index, day in enumerate(days):
        if index % every == 0 or index == len(days) - 1:
            parts.append(f'<text x="{_x(index, len(days)):.1f}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle" font-size="12" fill="#4f5b6a">{day:%Y-%m}</text>')
    parts.append(f'<line x1="{LEFT}" y1="{_y(0):.1f}" x2="{WIDTH - RIGHT}" y2="{_y(0):.1f}" '
                 f'stroke="#4f5b6a" stroke-width="1"/>')
    middle = (TOP + HEIGHT - BOTTOM) / 2
    parts.append(f'<text x="14" y="{middle:.1f}" text-anchor="middle" font-size="12" fill="#4f5b6a" '
                 f'transform="rotate(-90 14 {middle:.1f})">{escape(y_label)}</text>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" '
                 f'font-size="12" fill="#4f5b6a">{escape(x_label)}</text>')
    return parts


def _line(series: Series, number: int, count: int) -> list[str]:
    """The line's segments (broken where a value is unknown) and its markers."""
    colour, dash, shape = COLOURS[number % 4], DASHES[number % 4], MARKERS[number % 4]
    points = [(_x(i, count), _y(v)) for i, (_d, v) in enumerate(series.points) if v is not None]
    parts = []
    runs: list[list[tuple[float, float]]] = [[]]
    for i, (_day, value) in enumerate(series.points):
        if value is None:
            runs.append([])
        else:
            runs[-1].append((_x(i, count), _y(value)))
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    for run in runs:
        if len(run) > 1:
            coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
            parts.append(f'<polyline points="{coords}" fill="none" stroke="{colour}" '
                         f'stroke-width="2.5"{dash_attr}/>')
    parts.extend(_marker(shape, x, y, colour) for x, y in points)
    return parts


def _labels(series: list[Series], count: int) -> list[str]:
    """Each line's name to the right of its last point, spread apart so no two overlap."""
    ends = []
    for number, line in enumerate(series):
        known = [(i, v) for i, (_d, v) in enumerate(line.points) if v is not None]
        if known:
            i, value = known[-1]
            ends.append([_y(value), number, _x(i, count), _y(value), line.label])
    ends.sort()
    for before, after in zip(ends, ends[1:], strict=False):
        after[0] = max(after[0], before[0] + 16)
    parts = []
    for label_y, number, x, y, label in ends:
        colour, dash = COLOURS[number % 4], DASHES[number % 4]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{x + 6:.1f}" y1="{y:.1f}" x2="{WIDTH - RIGHT + 6}" y2="{label_y:.1f}" '
                     f'stroke="{colour}" stroke-width="1"{dash_attr}/>')
        parts.append(f'<text x="{WIDTH - RIGHT + 10}" y="{label_y + 4:.1f}" font-size="12" '
                     f'fill="{colour}" font-weight="600">{escape(label)}</text>')
    return parts


def line_chart(series: list[Series], *, title: str, description: str, chart_id: str,
               y_label: str, x_label: str) -> Markup:
    """An SVG of shares (0 to 1) over days: one line per series on a 0-100 % scale."""
    days = [day for day, _value in series[0].points] if series else []
    body = _axes(days, y_label, x_label)
    for number, line in enumerate(series):
        body.extend(_line(line, number, len(days)))
    body.extend(_labels(series, len(days)))
    # Every text that reaches the SVG went through escape(); the rest are numbers and constants.
    return Markup(  # nosec B704  # built from escaped labels and numbers only
        f'<svg class="chart" id="{chart_id}" role="img" aria-label="{escape(title)}" '
        f'aria-describedby="{chart_id}-desc" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
        + "".join(body) + "</svg>")
