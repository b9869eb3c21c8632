"""A table the console shows and exports: a title, columns and rows (an iterator, so exports stream)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlmodel import Session

from skills.cells import inert


@dataclass
class Table:
    """Rows of plain values under named columns; `links` maps a column to a (prefix, key column) pair."""

    key: str
    title: str
    columns: list[str]
    rows: Iterable[tuple[Any, ...]]
    links: dict[str, tuple[str, int]] = field(default_factory=dict)
    note: str = ""

    def materialised(self, limit: int | None = None) -> list[tuple[Any, ...]]:
        """The rows as a list (reads an iterator once); past `limit` rows, the rest is left to the CSV."""
        if not isinstance(self.rows, list):
            self.rows = list(islice(self.rows, limit + 1)) if limit is not None else list(self.rows)
        if limit is not None and len(self.rows) > limit:
            self.rows = self.rows[:limit]
            self.note = f"The first {limit:,} rows; download the CSV for all of them."
        return self.rows


def cell(value: Any) -> str:
    """A value as CSV or page text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    return str(value)


def csv_chunks(table: Table, rows_per_chunk: int = 1000) -> Iterator[str]:
    """The CSV in chunks of many rows (a server hands each chunk over separately: one per row is slow)."""
    chunk: list[str] = []
    for line in csv_lines(table):
        chunk.append(line)
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk.clear()
    if chunk:
        yield "".join(chunk)


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV text, a line at a time; cells a spreadsheet would run as formulas are quoted inert."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(values: Iterable[Any]) -> str:
        writer.writerow([inert(cell(v)) for v in values])
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    yield line(table.columns)
    for row in table.rows:
        yield line(row)


def month(session: Session, column: Any) -> ColumnElement[str]:
    """YYYY-MM of a timestamp column, in the session's SQL dialect."""
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)
