"""The quarterly report as a board reads it: a one-page A4 PDF and a Word document ready to paste into a board paper.

Both print `report_tables(report, small_numbers)` and `report_notes` and nothing else, so they show exactly the
page's figures (lms.services.reports.quarterly); no figure is worked out here. Neither names a person.
"""

from __future__ import annotations

import datetime as dt
import io
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from lms.services.certificates import _fonts
from lms.services.periods import quarter_label, uk_moment_text
from lms.services.reports.quarterly import QuarterlyReport, report_notes, report_tables
from lms.services.reports.tables import Table

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
INK, GREY, RULE = HexColor("#0b0c0c"), HexColor("#f3f2f1"), HexColor("#b1b4b6")
MARGIN = 36  # points: half an inch, so the four tables fit one A4 page with ten modules or more
CELL_PADDING = 2
FRAME_PADDING = 6  # reportlab's frame keeps 6 points inside the margins
SCALES = (1.0, 0.9, 0.8, 0.7, 0.6)  # the PDF shrinks its type until the report fits one page


def cell(value: object) -> str:
    """A table value as the PDF and Word document print it (as the page does): 1,234; empty for no value."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def introduction(report: QuarterlyReport, generated_at: dt.datetime) -> str:
    """The sentence under the title: whose figures, which quarter in months, and when they were made."""
    return (f"{report.scope.label}: training and awareness sessions delivered in {quarter_label(report.quarter)}, "
            f"{report.months_text}. Figures as of {uk_moment_text(generated_at)}.")


def heading(report: QuarterlyReport) -> str:
    return f"Quarterly training report: {quarter_label(report.quarter)}"


# --- PDF ---------------------------------------------------------------------------------------------

def _styles(scale: float) -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    size = 8 * scale
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=16 * scale, leading=19 * scale, textColor=INK, spaceAfter=4 * scale),
        "body": ParagraphStyle("body", fontName=regular, fontSize=9 * scale, leading=11.5 * scale, textColor=INK, spaceAfter=4 * scale),
        "caption": ParagraphStyle("caption", fontName=bold, fontSize=9.5 * scale, leading=12 * scale, textColor=INK,
                                  spaceBefore=6 * scale, spaceAfter=2 * scale),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=size, leading=size * 1.2, textColor=INK),
        "figure": ParagraphStyle("figure", fontName=regular, fontSize=size, leading=size * 1.2, textColor=INK, alignment=2),
        "header": ParagraphStyle("header", fontName=bold, fontSize=size * 0.9, leading=size * 1.1, textColor=INK),
        "header-figure": ParagraphStyle("header-figure", fontName=bold, fontSize=size * 0.9, leading=size * 1.1, textColor=INK, alignment=2),
    }


def _widths(columns: int, room: float) -> list[float]:
    """The label column about a seventh of the width (so every table's labels line up), the figures sharing the rest."""
    first = room * 0.15
    return [first] + [(room - first) / (columns - 1)] * (columns - 1)


def _header_size(columns: tuple[str, ...], widths: list[float], style: ParagraphStyle) -> float:
    """The largest header type size (up to the style's) at which no word of a heading is broken across lines."""
    size = style.fontSize
    while size > 4 and any(stringWidth(word, style.fontName, size) > width - 2 * CELL_PADDING
                           for column, width in zip(columns, widths, strict=True) for word in column.split()):
        size -= 0.25
    return size


def _pdf_table(table: Table, styles: dict[str, ParagraphStyle], room: float) -> KeepTogether:
    words = {0} | {i for i, column in enumerate(table.columns) if column == "Status"}  # left-aligned: labels and the status in words
    widths = _widths(len(table.columns), room)
    size = _header_size(table.columns, widths, styles["header"])
    header_styles = {name: ParagraphStyle(f"{name}-{size}", parent=styles[name], fontSize=size, leading=size * 1.2)
                     for name in ("header", "header-figure")}
    header = [Paragraph(escape(c), header_styles["header" if i in words else "header-figure"]) for i, c in enumerate(table.columns)]
    body = [[Paragraph(escape(cell(v)), styles["cell" if i in words else "figure"]) for i, v in enumerate(row)] for row in table.rows]
    grid = PdfTable([header, *body], colWidths=widths, repeatRows=1)
    grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.5, RULE),
                              ("BACKGROUND", (0, 0), (-1, 0), GREY), ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                              ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5), ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
                              ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING)]))
    return KeepTogether([Paragraph(escape(table.title), styles["caption"]), grid])


def _pdf_once(report: QuarterlyReport, small_numbers: bool, generated_at: dt.datetime, site_name: str, scale: float) -> tuple[bytes, int]:
    """The PDF at one type scale, and how many pages it took."""
    buffer = io.BytesIO()
    styles = _styles(scale)
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN, bottomMargin=MARGIN,
                                 title=f"{heading(report)}, {report.scope.label}", author=site_name, creator=site_name,
                                 subject=report.months_text)
    room = A4[0] - 2 * MARGIN - 2 * FRAME_PADDING
    story = [Paragraph(escape(heading(report)), styles["title"]), Paragraph(escape(introduction(report, generated_at)), styles["body"])]
    story += [_pdf_table(table, styles, room) for table in report_tables(report, small_numbers)]
    story += [Spacer(1, 4 * scale)] + [Paragraph(escape(note), styles["body"]) for note in report_notes(report, small_numbers)]
    document.build(story)
    return buffer.getvalue(), document.page


def report_pdf(report: QuarterlyReport, small_numbers: bool, generated_at: dt.datetime, site_name: str) -> bytes:
    """The report on one A4 portrait page: the type shrinks a step at a time until everything fits."""
    for scale in SCALES:
        body, pages = _pdf_once(report, small_numbers, generated_at, site_name, scale)
        if pages == 1:
            return body
    return body  # more modules than the smallest type fits on a page: the tables run on, never lost


# --- Word --------------------------------------------------------------------------------------------

def _repeat_header(row) -> None:
    """Mark a Word table's first row as a header row, repeated on each page and read as headers by screen readers."""
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)


def _word_table(document, table: Table) -> None:
    document.add_heading(table.title, level=2)
    grid = document.add_table(rows=1, cols=len(table.columns))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for index, (box, column) in enumerate(zip(grid.rows[0].cells, table.columns, strict=True)):
        box.text = column
        box.paragraphs[0].runs[0].bold = True
        if index:
            box.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        boxes = grid.add_row().cells
        for index, (box, value) in enumerate(zip(boxes, row, strict=True)):
            box.text = cell(value)
            if index:
                box.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT


def report_docx(report: QuarterlyReport, small_numbers: bool, generated_at: dt.datetime, site_name: str) -> bytes:
    """The report as a Word document: a heading, a sentence, the four tables as Word tables, the notes.
    Landscape, so the module table's eleven columns stay readable when pasted into a board paper."""
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(10)
    document.core_properties.title = f"{heading(report)}, {report.scope.label}"
    document.core_properties.author = site_name
    document.add_heading(heading(report), level=1)
    document.add_paragraph(introduction(report, generated_at))
    for table in report_tables(report, small_numbers):
        _word_table(document, table)
    for note in report_notes(report, small_numbers):
        document.add_paragraph(note)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
