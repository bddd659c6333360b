"""The report's HTML: a page shell, sections, tables; no scripts, no remote anything.

Every page is a complete document with its style inline, so `index.html` opens from
disk on an air-gapped machine. Text from the tables (model ids, card excerpts) is
escaped; links are relative.

>>> "<td>a&lt;b</td>" in table(["x"], [["a<b"]])
True
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1100px;
padding:1rem 2rem;color:#1d1d1f;line-height:1.45}
header{border-bottom:1px solid #ddd;margin-bottom:1rem}
h1{margin-bottom:.2rem} h2{margin-top:2.2rem;border-bottom:1px solid #eee}
.how{background:#f5f7fa;border-left:4px solid #8d99ae;padding:.4rem .8rem;font-size:.92rem}
figure{margin:1rem 0} figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
table{border-collapse:collapse;font-size:.85rem;margin:.6rem 0;display:block;overflow-x:auto}
th,td{border:1px solid #ddd;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f0f0f0} td.num{text-align:right;font-variant-numeric:tabular-nums}
pre{white-space:pre-wrap;font-size:.78rem;max-height:9rem;overflow:auto;margin:0}
dl.facts{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem}
dl.facts dt{font-weight:600} dl.facts dd{margin:0}
nav ul{columns:3;font-size:.9rem}
"""


def escape(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def fraction(value: float) -> str:
    """A value below 1 to 3 significant digits, without trailing zeros or an exponent: a
    share of 0.0005 read as 0.001, and 0.00012 as 0.000, at a fixed 3 decimals.

    >>> fraction(0.0005), fraction(0.19833), fraction(0.00012), fraction(0.0), fraction(-0.25)
    ('0.0005', '0.198', '0.00012', '0', '-0.25')
    """
    if value == 0:
        return "0"
    decimals = 2 - math.floor(math.log10(abs(value)))
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".")


def number(value: Any) -> str:
    """Numbers the way a reader scans them: thousands separated, fractions to 3
    significant digits.

    >>> number(1234567), number(0.19833), number(None), number(12.5), number(992.0)
    ('1,234,567', '0.198', '—', '12.5', '992')
    >>> number(0), number(0.0005), number(0.0), number(1.81)
    ('0', '0.0005', '0', '1.81')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "NaN"
        if abs(value) >= 1000 or (abs(value) >= 100 and value.is_integer()):
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.3g}" if abs(value) >= 1 else fraction(value)
    return escape(value)


def counted(n: int, noun: str) -> str:
    """A count with its noun, singular for one.

    >>> counted(1, "edge"), counted(2_000, "edge"), counted(0, "edge")
    ('1 edge', '2,000 edges', '0 edges')
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]], raw: Sequence[int] = ()) -> str:
    """An HTML table; numbers right-aligned, every cell escaped except columns in `raw`."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            if index in raw:
                cells.append(f"<td>{value}</td>")
            elif isinstance(value, int | float) and not isinstance(value, bool):
                cells.append(f'<td class="num">{number(value)}</td>')
            elif isinstance(value, list | tuple):
                cells.append(f"<td>{escape(', '.join(map(str, value)))}</td>")
            else:
                cells.append(f"<td>{escape(value) if value is not None else '—'}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def table_or_note(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], note: str, raw: Sequence[int] = ()
) -> str:
    """`table`, or `note` (HTML) as a sentence when there are no rows: an empty table
    reads as a broken report.

    >>> table_or_note(["family"], [], "No families in this snapshot.")
    '<p>No families in this snapshot.</p>'
    """
    return table(headers, rows, raw) if rows else f"<p>{note}</p>"


def link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


@dataclass
class Figure:
    file: str  # relative to the page
    caption: str


@dataclass
class Section:
    anchor: str
    title: str
    how_to_read: str
    figures: list[Figure] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # HTML fragments after the figures

    def render(self) -> str:
        parts = [f'<section id="{escape(self.anchor)}"><h2>{escape(self.title)}</h2>']
        parts.append(f'<p class="how"><strong>How to read this.</strong> {self.how_to_read}</p>')
        for fig in self.figures:
            parts.append(
                f'<figure><img src="{escape(fig.file)}" alt="{escape(fig.caption)}">'
                f"<figcaption>{escape(fig.caption)}</figcaption></figure>"
            )
        parts.extend(self.body)
        parts.append("</section>")
        return "\n".join(parts)


def facts(items: Sequence[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{escape(k)}</dt><dd>{number(v)}</dd>" for k, v in items)
    return f'<dl class="facts">{rows}</dl>'


def page(title: str, header: str, sections: Sequence[Section], contents: bool = True) -> str:
    """A whole HTML document: title, header block, table of contents, sections."""
    toc = ""
    if contents and len(sections) > 1:
        entries = "".join(
            f'<li><a href="#{escape(s.anchor)}">{escape(s.title)}</a></li>' for s in sections
        )
        toc = f"<nav><ul>{entries}</ul></nav>"
    body = "\n".join(s.render() for s in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body><header>{header}</header>{toc}\n{body}\n</body></html>\n"
    )
