"""Plotly figures in one house style: calm colours, labelled axes with units, money
with thousands separators, and the id of each bar or point in ``customdata`` so a
click can drill down."""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go
import polars as pl

PRIMARY = "#1f4e79"
ACCENT = "#d9822b"
GOOD = "#2e7d32"
BAD = "#c62828"
MUTED = "#9aa5b1"
PALETTE = [PRIMARY, ACCENT, "#4f9d9a", "#8e6c8a", "#b8860b", "#5b7db1", MUTED]


def _style(figure: go.Figure, *, height: int = 360, y_title: str = "", x_title: str = "") -> go.Figure:
    figure.update_layout(
        height=height, margin={"l": 10, "r": 10, "t": 30, "b": 10}, colorway=PALETTE,
        plot_bgcolor="white", paper_bgcolor="white", font={"size": 13},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        separators=".,",
    )
    figure.update_xaxes(title=x_title, showgrid=False, linecolor="#d0d7de")
    figure.update_yaxes(title=y_title, gridcolor="#eef1f4", zerolinecolor="#d0d7de")
    return figure


def bars(frame: pl.DataFrame, *, x: str, y: str, y_title: str, ids: str | None = None,
         money: str | None = None, horizontal: bool = False, color: str = PRIMARY,
         height: int = 360, text: bool = True) -> go.Figure:
    """One bar per row; ``customdata`` carries ``ids`` (default: the category) for drill-down."""
    labels = [str(v) for v in frame[x].to_list()]
    values = [float(v) if v is not None else None for v in frame[y].to_list()]
    custom = [[str(v)] for v in frame[ids or x].to_list()]
    fmt = f"{money}%{{value:,.0f}}" if money else "%{value:,.0f}"
    bar = go.Bar(
        x=values if horizontal else labels, y=labels if horizontal else values,
        orientation="h" if horizontal else "v", customdata=custom, marker_color=color,
        hovertemplate=f"%{{{'y' if horizontal else 'x'}}}<br>{y_title}: {fmt}<extra></extra>",
        texttemplate=fmt if text else None, textposition="auto",
    )
    figure = go.Figure(bar)
    if horizontal:
        figure.update_yaxes(autorange="reversed", type="category")
        return _style(figure, height=height, x_title=y_title)
    figure.update_xaxes(type="category")
    return _style(figure, height=height, y_title=y_title)


def trend(frame: pl.DataFrame, *, x: str, series: Sequence[tuple[str, str]], y_title: str,
          target: float | None = None, height: int = 300, percent: bool = False) -> go.Figure:
    """Lines over time, one per (column, label); a dashed target line if given."""
    figure = go.Figure()
    for index, (column, label) in enumerate(series):
        figure.add_trace(go.Scatter(
            x=frame[x].to_list(), y=[float(v) if v is not None else None for v in frame[column].to_list()],
            mode="lines+markers", name=label, line={"color": PALETTE[index % len(PALETTE)], "width": 2},
            customdata=[[str(v)] for v in frame[x].to_list()],
        ))
    if target is not None:
        figure.add_hline(y=target, line_dash="dash", line_color=MUTED, annotation_text="target",
                         annotation_position="top left")
    _style(figure, height=height, y_title=y_title)
    if percent:
        figure.update_yaxes(tickformat=".0%")
    return figure


def stacked(frame: pl.DataFrame, *, x: str, y: str, color: str, y_title: str, money: str | None = None,
            height: int = 360, order: Sequence[str] | None = None) -> go.Figure:
    """Stacked bars of ``y`` by ``x``, one colour per ``color`` value (e.g. age buckets per site)."""
    figure = go.Figure()
    groups = order or sorted({str(v) for v in frame[color].to_list()})
    for index, group in enumerate(groups):
        part = frame.filter(pl.col(color).cast(pl.Utf8) == group)
        fmt = f"{money}%{{y:,.0f}}" if money else "%{y:,.0f}"
        figure.add_trace(go.Bar(
            x=[str(v) for v in part[x].to_list()], y=[float(v) for v in part[y].to_list()], name=group,
            marker_color=PALETTE[index % len(PALETTE)], customdata=[[str(v), group] for v in part[x].to_list()],
            hovertemplate=f"%{{x}} · {group}<br>{y_title}: {fmt}<extra></extra>",
        ))
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category")
    return _style(figure, height=height, y_title=y_title)


def scatter(frame: pl.DataFrame, *, x: str, y: str, ids: str, x_title: str, y_title: str,
            color: str | None = None, height: int = 380, log_x: bool = False) -> go.Figure:
    """Points with their id in ``customdata`` (box or lasso select drills down)."""
    figure = go.Figure()
    groups = sorted({str(v) for v in frame[color].to_list()}) if color else [None]
    for index, group in enumerate(groups):
        part = frame if group is None else frame.filter(pl.col(color).cast(pl.Utf8) == group)
        figure.add_trace(go.Scatter(
            x=[float(v) for v in part[x].to_list()], y=[float(v) for v in part[y].to_list()],
            mode="markers", name=group or y_title, marker={"size": 8, "color": PALETTE[index % len(PALETTE)],
                                                          "opacity": 0.75},
            customdata=[[str(v)] for v in part[ids].to_list()], text=[str(v) for v in part[ids].to_list()],
            hovertemplate=f"%{{text}}<br>{x_title}: %{{x:,.2f}}<br>{y_title}: %{{y:,.2f}}<extra></extra>",
        ))
    _style(figure, height=height, x_title=x_title, y_title=y_title)
    if log_x:
        figure.update_xaxes(type="log")
    return figure
