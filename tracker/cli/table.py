"""Plain-text tables for the terminal."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.text import printable


def format_table(headers: Sequence[str], rows: Sequence[Sequence[object]], *,
                 max_width: int = 60) -> str:
    """Lay out rows in left-aligned columns; cells longer than `max_width` are cut."""
    cells = [[_cell(value, max_width) for value in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    lines = [_line(headers, widths), "  ".join("-" * w for w in widths)]
    lines.extend(_line(row, widths) for row in cells)
    return "\n".join(lines)


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def _cell(value: object, max_width: int) -> str:
    text = "" if value is None else printable(" ".join(str(value).split()))
    return text if len(text) <= max_width else text[: max_width - 1] + "…"
