"""A project's goal table as the county files it (项目支出绩效目标申报表): one grid of merged cells — the
project's facts, its money, the overall goals, then the indicator rows with 一级 / 二级 merged down — written
to .xlsx (openpyxl, A4 portrait, fitted to the page width) and .docx (python-docx, an A4 section).

Both files come from the same `Grid`, so the spreadsheet and the Word table never disagree."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from server.flows.goal_review.models import GoalVersion
from server.services.project_story import ProjectStory
from server.services.task_page import label
from server.services.xlsx_export import XLSX_MIMETYPE

COLUMNS = 9  # A: the section labels; B–I: 一级, 二级, 三级, 符号, 指标值, 单位, 依据, 权重
WIDTHS = (12, 10, 12, 26, 8, 12, 9, 10, 8)  # characters; about 18 cm in all, inside A4's printable width
DOCX_WIDTHS_CM = (2.0, 1.6, 1.9, 4.2, 1.2, 2.0, 1.4, 1.6, 1.2)
__all__ = ["DOCX_MIMETYPE", "XLSX_MIMETYPE", "goal_grid", "to_docx", "to_xlsx"]
DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class Cell:
    row: int  # 0-based
    col: int
    text: str | Decimal
    rows: int = 1  # merged down
    cols: int = 1  # merged across
    head: bool = False  # a label: bold, centred
    money: bool = False


@dataclass
class Grid:
    title: str
    subtitle: str
    cells: list[Cell] = field(default_factory=list)
    height: int = 0

    def put(self, row: int, col: int, text: str | Decimal | None, *, rows: int = 1, cols: int = 1,
            head: bool = False, money: bool = False) -> None:
        self.cells.append(Cell(row, col, "" if text is None else text, rows, cols, head, money))
        self.height = max(self.height, row + rows)


def _money(value: Decimal | None) -> Decimal | str:
    return value if value is not None else ""


def goal_grid(story: ProjectStory, goal: GoalVersion) -> Grid:
    p = story.project
    grid = Grid(_("项目支出绩效目标申报表"), _("（%(y)s 年度）", y=goal.fiscal_year or p.fiscal_year or ""))
    put = grid.put
    put(0, 0, _("项目名称"), head=True)
    put(0, 1, p.name, cols=8)
    facts = ((_("主管部门"), story.department, _("实施单位"), story.unit),
             (_("项目属性"), label("project_type", p.project_type),
              _("项目期限"), f"{p.start_year or ''}–{p.end_year or ''}"),
             (_("项目编码"), p.code, _("联系人"), goal.contact))
    for i, (a, a_value, b, b_value) in enumerate(facts, start=1):
        put(i, 0, a, head=True)
        put(i, 1, a_value, cols=4)
        put(i, 5, b, head=True)
        put(i, 6, b_value, cols=3)
    put(4, 0, _("项目资金（元）"), rows=3, head=True)
    put(4, 1, _("年度资金总额"), cols=4, head=True)
    put(4, 5, _money(goal.budget_amount), cols=4, money=True)
    put(5, 1, _("申报金额"), cols=4, head=True)
    put(5, 5, _money(p.requested_amount), cols=4, money=True)
    put(6, 1, _("其中：财政拨款"), cols=2, head=True)
    put(6, 3, _money(p.fiscal_funds), cols=2, money=True)
    put(6, 5, _("其他资金"), cols=2, head=True)
    put(6, 7, _money(p.other_funds), cols=2, money=True)
    put(7, 0, _("总体目标"), rows=2, head=True)
    put(7, 1, _("中长期目标"), cols=4, head=True)
    put(7, 5, _("年度目标"), cols=4, head=True)
    put(8, 1, goal.long_term_goal, cols=4)
    put(8, 5, goal.annual_goal, cols=4)

    indicators = list(goal.indicators)
    top = 9
    put(top, 0, _("绩效指标"), rows=len(indicators) + 2, head=True)
    for col, name in enumerate((_("一级指标"), _("二级指标"), _("三级指标"), _("计算符号"), _("指标值"),
                                _("计量单位"), _("设定依据"), _("权重")), start=1):
        put(top, col, name, head=True)
    first = top + 1
    for level_col, key in ((1, lambda r: r.level1), (2, lambda r: (r.level1, r.level2))):
        start = 0
        for i in range(1, len(indicators) + 1):  # merge each run of equal 一级 (and 二级 within it) downwards
            if i == len(indicators) or key(indicators[i]) != key(indicators[start]):
                text = indicators[start].level1 if level_col == 1 else indicators[start].level2
                put(first + start, level_col, text, rows=i - start)
                start = i
    for i, r in enumerate(indicators):
        row = first + i
        for col, value in enumerate((r.name, r.operator, r.value, r.unit, r.basis, r.weight), start=3):
            put(row, col, value)
    total = first + len(indicators)
    put(total, 1, _("权重合计"), cols=7, head=True)
    put(total, 8, sum((r.weight for r in indicators), Decimal(0)))
    return grid


THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def to_xlsx(grid: Grid) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = _("绩效目标申报表")
    last = get_column_letter(COLUMNS)
    for i, width in enumerate(WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet["A1"] = grid.title
    sheet["A1"].font = Font(bold=True, size=16)
    sheet["A1"].alignment = Alignment(horizontal="center", vertical="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = grid.subtitle
    sheet["A2"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    offset = 3  # the grid starts on row 3
    for cell in grid.cells:
        row, col = cell.row + offset, cell.col + 1
        target = sheet.cell(row=row, column=col, value=cell.text)
        if isinstance(cell.text, str) and cell.text.startswith("="):
            target.data_type = "s"  # typed text stays text, never a formula
        target.alignment = Alignment(horizontal="center" if cell.head else "left", vertical="center", wrap_text=True)
        if cell.head:
            target.font = Font(bold=True)
        if cell.money:
            target.number_format = '#,##0.00'
        for r in range(row, row + cell.rows):  # merged cells keep their borders only when each one has them
            for c in range(col, col + cell.cols):
                sheet.cell(row=r, column=c).border = BOX
        if cell.rows > 1 or cell.cols > 1:
            sheet.merge_cells(start_row=row, start_column=col, end_row=row + cell.rows - 1,
                              end_column=col + cell.cols - 1)
    sheet.print_area = f"A1:{last}{grid.height + offset - 1}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "portrait"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.5
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _text(cell: Cell) -> str:
    if isinstance(cell.text, Decimal):
        return f"{cell.text:,.2f}" if cell.money else str(cell.text)
    return cell.text


def to_docx(grid: Grid) -> bytes:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.5)
    section.top_margin = section.bottom_margin = Cm(2)
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(grid.title)
    run.bold, run.font.size = True, Pt(16)
    subtitle = document.add_paragraph(grid.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = document.add_table(rows=grid.height, cols=COLUMNS)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for row in table.rows:
        for i, width in enumerate(DOCX_WIDTHS_CM):
            row.cells[i].width = Cm(width)
    for cell in grid.cells:
        target = table.cell(cell.row, cell.col)
        if cell.rows > 1 or cell.cols > 1:
            target = target.merge(table.cell(cell.row + cell.rows - 1, cell.col + cell.cols - 1))
        paragraph = target.paragraphs[0]
        run = paragraph.add_run(_text(cell))
        if cell.head:
            run.bold = True
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = BytesIO()
    document.save(out)
    return out.getvalue()
