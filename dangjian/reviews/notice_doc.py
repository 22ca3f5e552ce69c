"""The printable 公示 as a Word document (python-docx): the text a branch posts on its notice board."""

from __future__ import annotations

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt

from dangjian.reviews.models import Notice

# What the people are proposed for, at each point (the notice's title and first sentence).
POINT_TEXT = {"activist": "拟确定为入党积极分子", "candidate": "拟确定为发展对象", "admission": "拟接收为中共预备党员",
              "conversion": "拟按期转为中共正式党员"}


def _font(run, size: int, bold: bool = False) -> None:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "宋体")


def _para(doc, text: str, size: int = 14, bold: bool = False, align=None, indent: bool = True) -> None:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    _font(p.add_run(text), size, bold)


def notice_docx(notice: Notice, people: list) -> bytes:
    """A proper Chinese 公示: who, for what, the period (dates and working days), the phone and the address."""
    doc = Document()
    what = POINT_TEXT[notice.point]
    names = "、".join(d.person.name for d in people)
    org = notice.organization.name
    first = people[0].person.name if people else ""
    title = f"关于{first}{'等' + str(len(people)) + '名同志' if len(people) > 1 else '同志'}{what}的公示"
    _para(doc, title, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _para(doc, f"经{org}研究，{names}{what}。现将有关情况公示如下：")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["序号", "姓名", "性别", "出生年月", "学历", "所在党支部"], strict=True):
        _font(cell.paragraphs[0].add_run(text), 12, bold=True)
    for i, d in enumerate(people, 1):
        p = d.person
        row = table.add_row().cells
        values = [str(i), p.name, p.get_gender_display(), p.birth_date.strftime("%Y年%m月"),
                  p.get_education_display() or "—", d.organization.name]
        for cell, text in zip(row, values, strict=True):
            _font(cell.paragraphs[0].add_run(text), 12)
    _para(doc, f"公示时间：{notice.start:%Y年%m月%d日}至{notice.end:%Y年%m月%d日}"
               f"（{notice.working_days}个工作日）。")
    _para(doc, "公示期间，党员和群众可以通过来电、来信、来访等方式，向党组织反映公示对象在政治表现、道德品质、"
               "遵纪守法、工作学习等方面的情况和问题。反映情况要实事求是，以个人名义反映的请提供真实姓名和联系方式，"
               "我们将严格保密。")
    _para(doc, f"监督电话：{notice.contact_phone}")
    _para(doc, f"来信来访地址：{notice.feedback_address}")
    _para(doc, org, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _para(doc, f"{notice.start:%Y年%m月%d日}", align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
