"""A list as an .xlsx file that never sits in memory whole: openpyxl's write-only workbook spools rows to a
temporary file as they are fetched in batches, the zip is written to another temporary file, and the response
reads it back in chunks. Memory stays flat whether the list has 20 or 200,000 rows."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

YUAN_FORMAT = '#,##0.00"元"'
CHUNK = 64 * 1024
BOLD = Font(bold=True)
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    yuan: bool = False  # a money column: a number shown with the 元 format


def _cells(sheet: Any, values: Sequence[Any], columns: Sequence[Column], bold: bool = False) -> list[Any]:
    """Plain values where no style is needed (openpyxl writes those fastest); styled cells for money and bold."""
    cells = []
    for value, column in zip(values, columns, strict=True):
        money = column.yuan and isinstance(value, Decimal | int | float)
        text = isinstance(value, str) and value.startswith("=")
        if not (money or bold or text):
            cells.append(value)
            continue
        cell = WriteOnlyCell(sheet, value=value)
        if text:  # typed text (a name, a title) stays text: openpyxl would store "=…" as a formula Excel runs
            cell.data_type = "s"
        if money:
            cell.number_format = YUAN_FORMAT
        if bold:
            cell.font = BOLD
        cells.append(cell)
    return cells


@dataclass(frozen=True)
class Sheet:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    footer: Iterable[Sequence[Any]] = ()


def stream_xlsx(title: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
                footer: Iterable[Sequence[Any]] = ()) -> Iterator[bytes]:
    """The workbook's bytes in chunks: a header row, the rows, then the footer rows (totals) in bold."""
    return stream_sheets([Sheet(title, columns, rows, footer)])


def stream_sheets(sheets: Iterable[Sheet]) -> Iterator[bytes]:
    """Several lists in one workbook (a page with several tables), one sheet each, in the given order."""
    book = Workbook(write_only=True)
    for part in sheets:
        sheet = book.create_sheet(part.title[:31])
        for i, column in enumerate(part.columns):
            sheet.column_dimensions[get_column_letter(i + 1)].width = column.width
        sheet.freeze_panes = "A2"
        sheet.append(_cells(sheet, [c.header for c in part.columns], part.columns, bold=True))
        for row in part.rows:
            sheet.append(_cells(sheet, row, part.columns))
        for row in part.footer:
            sheet.append(_cells(sheet, row, part.columns, bold=True))
    with tempfile.TemporaryFile(prefix="jixiao-xlsx-") as out:
        book.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK):
            yield chunk
