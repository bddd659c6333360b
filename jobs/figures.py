"""The report's figures: plain data in, one standalone SVG document out.

matplotlib's object API (`Figure`, no pyplot state, no GUI backend), text kept as SVG
text and a fixed hash salt and no date, so the same tables give byte-identical files
and a page needs no fonts or scripts from anywhere. Every function takes the numbers
already read from the tables and returns the SVG as a string.

>>> svg = bars({"finetune": 3, "adapter": 1}, "edges", "relation mix")
>>> svg.startswith("<?xml") and "finetune" in svg
True
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.figure import Figure

mpl.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "pedigree",
        "font.size": 9,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.alpha": 0.3,
        # Labels are ids and trait values: a `$` in one is text, not matplotlib's math.
        "text.parse_math": False,
    }
)

RELATION_STYLES = {
    "finetune": "-",
    "adapter": "--",
    "quantized": ":",
    "merge": "-.",
    "unknown": (0, (1, 3)),
}
CATEGORY_COLOURS = {
    "permissive": "#2a9d8f",
    "copyleft": "#e9c46a",
    "use-restricted": "#f4a261",
    "commercial": "#e76f51",
    "other": "#8d99ae",
    "unknown": "#cccccc",
}


def to_svg(figure: Figure) -> str:
    """The figure as a standalone SVG document (no creation date: reruns are identical)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    return buffer.getvalue()


def mark_data(artists: Any, kind: str) -> None:
    """Give every artist that draws data an SVG id `data-<kind>-<n>`, so a check of the
    written file (the report test, in a browser) can tell a plotted figure from empty axes.
    `kind` names the series, so ids are unique within a figure."""
    items = getattr(artists, "patches", artists)
    for index, artist in enumerate(items if isinstance(items, list | tuple) else [items]):
        artist.set_gid(f"data-{kind}-{index}")


def short_label(text: str, limit: int = 40) -> str:
    """`text` cut in the middle to `limit` characters: a legend as wide as a 254-character
    Hub id squeezes the axes to a sliver. The middle goes, so the owner and the end of the
    name (its size, its quantization) stay.

    >>> short_label("TheBloke/" + "x" * 60 + "-GGUF")
    'TheBloke/xxxxxxxxxx…xxxxxxxxxxxxxxx-GGUF'
    >>> short_label("gpt2")
    'gpt2'
    """
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head]}…{text[head + 1 - limit :]}"


def _figure(width: float = 6.4, height: float = 3.6) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def ccdf(series: Mapping[str, Mapping[int, int]], xlabel: str, title: str) -> str:
    """Share of values >= x for each series of value counts ({value: how many}), log-log
    (heavy tails show as straight-ish lines).

    >>> "family size" in ccdf({"all": {1: 2, 2: 1, 40: 1}}, "family size", "CCDF")
    True
    """
    figure = _figure()
    axes = figure.subplots()
    for name, counts in series.items():
        if not counts:
            continue
        ordered = sorted(counts.items())
        values = np.array([value for value, _ in ordered], dtype=float)
        how_many = np.array([n for _, n in ordered])
        below = np.cumsum(how_many) - how_many  # how many values are less than each
        share = 1.0 - below / how_many.sum()
        mark_data(axes.step(values, share, where="post", label=name), f"line-{name}")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel(xlabel)
    axes.set_ylabel("share with at least x")
    axes.set_title(title)
    axes.legend()
    return to_svg(figure)


def grouped_bars(
    groups: Sequence[str],
    series: Mapping[str, Sequence[float | None]],
    ylabel: str,
    title: str,
    errors: Mapping[str, Sequence[tuple[float, float] | None]] | None = None,
    log: bool = False,
) -> str:
    """Bars of several series side by side per group; optional (low, high) error bars.

    >>> ci = {"siblings": [(0.4, 0.6)]}
    >>> "mean" in grouped_bars(["card"], {"siblings": [0.5]}, "mean", "t", ci)
    True
    """
    figure = _figure(max(6.4, 0.55 * len(groups) * max(1, len(series)) ** 0.5), 3.8)
    axes = figure.subplots()
    positions = np.arange(len(groups))
    width = 0.8 / max(1, len(series))
    for index, (name, values) in enumerate(series.items()):
        heights = np.array([np.nan if v is None else v for v in values], dtype=float)
        offsets = positions - 0.4 + width * (index + 0.5)
        yerr = None
        if errors and name in errors:
            low = [
                np.nan if e is None else h - e[0]
                for h, e in zip(heights, errors[name], strict=True)
            ]
            high = [
                np.nan if e is None else e[1] - h
                for h, e in zip(heights, errors[name], strict=True)
            ]
            yerr = np.clip(np.array([low, high], dtype=float), 0, None)
        bars = axes.bar(offsets, np.nan_to_num(heights), width, yerr=yerr, label=name, capsize=2)
        mark_data(bars, f"bar-{index}")
    axes.set_xticks(positions, groups, rotation=30 if len(groups) > 5 else 0, ha="right")
    if log:
        axes.set_yscale("log")
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    if len(series) > 1:
        axes.legend(fontsize=7, ncols=min(3, len(series)))
    return to_svg(figure)


def bars(values: Mapping[str, float], ylabel: str, title: str, horizontal: bool = False) -> str:
    """One bar per key, in the mapping's order."""
    figure = _figure(6.4, max(3.0, 0.22 * len(values)) if horizontal else 3.4)
    axes = figure.subplots()
    labels, heights = list(values), list(values.values())
    if horizontal:
        mark_data(axes.barh(labels[::-1], heights[::-1]), "bar")
        axes.set_xlabel(ylabel)
    else:
        mark_data(axes.bar(labels, heights), "bar")
        axes.set_ylabel(ylabel)
        if len(labels) > 5:
            axes.tick_params(axis="x", labelrotation=30)
    axes.set_title(title)
    return to_svg(figure)


def heatmap(
    matrix: Sequence[Sequence[float]],
    rows: Sequence[str],
    columns: Sequence[str],
    title: str,
    colour_label: str,
    xlabel: str = "",
    ylabel: str = "",
) -> str:
    """A matrix with each cell written in it (values small enough to read).

    >>> "to" in heatmap([[0, 2], [1, 0]], ["a", "b"], ["a", "b"], "t", "edges", "to", "from")
    True
    """
    data = np.asarray(matrix, dtype=float)
    figure = _figure(max(4.5, 0.5 * len(columns) + 2.5), max(3.2, 0.32 * len(rows) + 1.5))
    axes = figure.subplots()
    axes.grid(False)
    image = axes.imshow(data, cmap="viridis", aspect="auto")
    mark_data(image, "image")
    axes.set_xticks(range(len(columns)), columns, rotation=45, ha="right")
    axes.set_yticks(range(len(rows)), rows)
    high = np.nanmax(data) if data.size else 0
    for (i, j), value in np.ndenumerate(data):
        if not np.isnan(value):
            text = f"{value:.2f}" if high <= 1 else f"{value:,.0f}"
            colour = "white" if value < 0.6 * high else "black"
            axes.text(j, i, text, ha="center", va="center", fontsize=6, color=colour)
    figure.colorbar(image, ax=axes, label=colour_label)
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    return to_svg(figure)


def lines(
    x: Sequence[str | int],
    series: Mapping[str, Sequence[float | None]],
    xlabel: str,
    ylabel: str,
    title: str,
    log: bool = False,
    cumulative: bool = False,
) -> str:
    """One line per series over a shared x axis (depths, months); gaps stay gaps. Long
    series names are shortened in the legend (`short_label`).

    >>> "depth" in lines([1, 2], {"parent": [3.0, None]}, "depth", "mean", "t")
    True
    """
    figure = _figure(6.8, 3.6)
    axes = figure.subplots()
    positions = np.arange(len(x))
    for name, values in series.items():
        data = np.array([np.nan if v is None else v for v in values], dtype=float)
        if cumulative:
            data = np.cumsum(np.nan_to_num(data))
        marker = "o" if len(x) <= 30 else None
        mark_data(
            axes.plot(positions, data, marker=marker, markersize=3, label=short_label(name)),
            f"line-{name}",
        )
    step = max(1, len(x) // 12)
    axes.set_xticks(positions[::step], [str(v) for v in x][::step], rotation=30 if step > 1 else 0)
    if log:
        axes.set_yscale("symlog")
    axes.set_xlabel(xlabel)
    axes.set_ylabel(ylabel)
    axes.set_title(title)
    axes.legend(fontsize=7)
    return to_svg(figure)


def precision_recall(
    points: Sequence[tuple[float, float, float]], chosen: float | None, title: str
) -> str:
    """A precision-recall curve from (threshold, recall, precision) points, the chosen
    threshold's point marked.

    >>> "precision" in precision_recall([(0.5, 0.4, 0.9), (0.9, 0.1, 1.0)], 0.5, "PR")
    True
    """
    figure = _figure(5.2, 3.8)
    axes = figure.subplots()
    ordered = sorted(points)
    recall = [r for _, r, _ in ordered]
    precision = [p for _, _, p in ordered]
    mark_data(axes.plot(recall, precision, marker="o", markersize=3, label="overall"), "pr")
    for threshold, r, p in ordered:
        if chosen is not None and abs(threshold - chosen) < 1e-9:
            axes.plot(
                [r], [p], marker="*", markersize=12, linestyle="", label=f"threshold {chosen:g}"
            )
    axes.set_xlim(0, 1.02)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("recall (declared parents found)")
    axes.set_ylabel("precision (inferred parents declared)")
    axes.set_title(title)
    axes.legend(fontsize=7)
    return to_svg(figure)


def tree(
    positions: Mapping[str, tuple[float, float]],
    labels: Mapping[str, str],
    colours: Mapping[str, str],
    edges: Sequence[tuple[str, str, str]],
    title: str,
) -> str:
    """A family drawn top-down: nodes at their (x, depth), roots at the top, one line
    style per relation, node colour by license category (legends for both).

    >>> svg = tree({"a": (0, 0), "b": (0, 1)}, {"a": "a", "b": "b"},
    ...            {"a": "permissive", "b": "unknown"}, [("b", "a", "finetune")], "t")
    >>> "finetune" in svg and "permissive" in svg
    True
    """
    depth = max((y for _, y in positions.values()), default=0)
    width = max((x for x, _ in positions.values()), default=0) + 1
    figure = _figure(min(18.0, max(6.4, 0.45 * width)), min(16.0, max(3.0, 1.1 * (depth + 1))))
    axes = figure.subplots()
    axes.grid(False)
    axes.set_axis_off()
    seen_relations = set()
    for child, parent, relation in edges:
        (x0, y0), (x1, y1) = positions[parent], positions[child]
        seen_relations.add(relation)
        axes.plot(
            [x0, x1],
            [y0, y1],
            linestyle=RELATION_STYLES.get(relation, "-"),
            color="#555555",
            linewidth=0.8,
            zorder=1,
        )
    by_category: dict[str, list[str]] = {}
    for node, category in colours.items():
        by_category.setdefault(category, []).append(node)
    for category, nodes in sorted(by_category.items()):
        xs = [positions[n][0] for n in nodes]
        ys = [positions[n][1] for n in nodes]
        colour = CATEGORY_COLOURS.get(category, "#8d99ae")
        mark_data(
            axes.scatter(xs, ys, s=40, color=colour, label=category, zorder=2), f"node-{category}"
        )
    for node, text in labels.items():
        x, y = positions[node]
        axes.annotate(
            text,
            (x, y),
            xytext=(0, -9),
            textcoords="offset points",
            ha="right" if width > 8 else "center",
            va="top",
            fontsize=5.5,
            rotation=35 if width > 8 else 0,
            rotation_mode="anchor",
        )
    for relation in sorted(seen_relations):
        axes.plot(
            [], [], linestyle=RELATION_STYLES.get(relation, "-"), color="#555555", label=relation
        )
    axes.set_ylim(depth + 0.8, -0.5)
    axes.set_title(title)
    axes.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return to_svg(figure)
