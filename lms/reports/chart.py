"""A bar chart drawn on the server as SVG: no script, and the same numbers sit in a table beside it."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 260, 48, 40, 16


@dataclass(frozen=True)
class Bar:
    label: str
    x: float
    width: float
    elearning: tuple[float, float]  # y, height
    face_to_face: tuple[float, float]
    total: int


def stacked_bars(points: list[tuple[str, int, int]]) -> tuple[list[Bar], list[tuple[float, int]]]:
    """Bars for (label, e-learning, face to face) points, and (y, value) gridlines, in SVG units."""
    top = max([e + f for _label, e, f in points] + [1])
    step = _nice_step(top)
    scale_top = -(-top // step) * step
    plot = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / max(len(points), 1)
    bars = []
    for index, (label, elearning, face_to_face) in enumerate(points):
        e_height, f_height = plot * elearning / scale_top, plot * face_to_face / scale_top
        base = HEIGHT - BOTTOM
        bars.append(Bar(label, LEFT + index * slot + slot * 0.15, slot * 0.7, (base - e_height, e_height),
                        (base - e_height - f_height, f_height), elearning + face_to_face))
    lines = [(HEIGHT - BOTTOM - plot * value / scale_top, value) for value in range(0, scale_top + 1, step)]
    return bars, lines


def _nice_step(top: int) -> int:
    """A round gridline step giving four or five lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000, 10000, 20000, 50000, 100000):
        if top / step <= 5:
            return step
    return 10 ** len(str(top // 5))


def trend_chart(trend) -> tuple[list[Bar], list[tuple[float, int]]]:
    """The trend table's people trained as bars, each labelled with a short quarter ('Q3 25/26')."""
    points = []
    for label, _e_sessions, e_people, _f_sessions, f_people, *_totals in trend.rows:
        quarter, year = label.split(" ")
        points.append((f"{quarter} {year[2:]}", e_people, f_people))
    return stacked_bars(points)
