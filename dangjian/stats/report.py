"""The written structure report (`dangjian report structure`, the statistics page's download buttons):
.docx (a title, the figures in words as seed 003 writes them, tables, charts as PNG), .xlsx (the tables) and
JSON (the figures). The figures come from figures.compute_figures; nothing is counted here."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from dangjian.orgs.models import Organization

FONT = "Noto Sans CJK SC"
FORMATS = ("docx", "xlsx", "json")


def _d(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def summary_text(org: Organization, f: dict, as_of: dt.date, start: dt.date, end: dt.date) -> list[str]:
    """The paragraphs that state the figures in words (seed 003: “全县共有12个基层党(工)委……”)."""
    o, m, a = f["orgs"], f["members"], f["admissions"]
    first = (f"截至{_d(as_of)}，{org.name}共有{o['committees']}个基层党（工）委，{o['general_branches']}个党总支，"
             f"{o['branches']}个党支部，党员{m['total']}人（其中预备党员{m['probationary']}人），"
             f"其中农村党员{m['rural']}人，占党员总数的{m['rural_pct']:.2f}%，"
             f"35岁及以下党员{m['young']}人，占党员总数的{m['young_pct']:.2f}%，"
             f"高中及以上文化程度党员{m['hs']}人，占党员总数的{m['hs_pct']:.2f}%，"
             f"女党员{m['women']}人，占党员总数的{m['women_pct']:.2f}%，"
             f"少数民族党员{m['minority']}人，占党员总数的{m['minority_pct']:.2f}%。")
    second = (f"{_d(start)}至{_d(end)}，共发展党员{a['total']}名，其中农村党员{a['rural']}人，占党员发展数的"
              f"{a['rural_pct']:.2f}%，35岁及以下{a['young']}名，占党员发展数的{a['young_pct']:.2f}%，"
              f"高中及以上文化程度{a['hs']}名，占党员发展数的{a['hs_pct']:.2f}%，女党员{a['women']}名，"
              f"占党员发展数的{a['women_pct']:.2f}%。")
    p = {s["status"]: s["total"] for s in f["pipeline"]}
    third = (f"目前有入党申请人{p.get('applicant', 0)}人，入党积极分子{p.get('activist', 0)}人，"
             f"发展对象{p.get('candidate', 0)}人，预备党员{p.get('probationary', 0)}人。")
    return [first, second, third]


STRUCTURE_HEAD = ["类别", "人数", "农村", "占比%", "35岁及以下", "占比%", "高中及以上", "占比%", "女性", "占比%",
                  "少数民族", "占比%"]


def structure_rows(f: dict) -> list[list]:
    def row(label: str, g: dict) -> list:
        return [label, g["total"], g["rural"], g["rural_pct"], g["young"], g["young_pct"], g["hs"], g["hs_pct"],
                g["women"], g["women_pct"], g["minority"], g["minority_pct"]]

    return [row("党员", f["members"]), row("期间发展党员", f["admissions"]),
            *[row(s["label"], s) for s in f["pipeline"]]]


def tables(f: dict) -> list[tuple[str, list[str], list[list]]]:
    """(title, header, rows) of every table, the same in .docx and .xlsx."""
    o = f["orgs"]
    m, a = f["members"], f["admissions"]
    return [
        ("党组织", ["类别", "个数"], [["基层党（工）委", o["committees"]], ["党总支", o["general_branches"]],
                                  ["党支部", o["branches"]]] + [[f"党支部：{p}", n] for p, n in o["branch_places"]]),
        ("队伍结构", STRUCTURE_HEAD, structure_rows(f)),
        ("年龄", ["年龄段", "党员", "期间发展党员"], [[label, n, a["ages"][i][1]] for i, (label, n) in enumerate(m["ages"])]),
        ("学历", ["学历", "党员", "期间发展党员"], [[label, n, a["edu"][i][1]] for i, (label, n) in enumerate(m["edu"])]),
        ("历年发展", ["年份", "发展党员数（现有党员按入党时间）"], [[y, n] for y, n in f["admissions_by_year"]]),
    ]


def _charts(f: dict) -> list[tuple[str, bytes]]:
    """PNG charts drawn with matplotlib (Agg); without the CJK font the labels may not show, nothing fails."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import font_manager
    from matplotlib import pyplot as plt

    if any(FONT in f.name for f in font_manager.fontManager.ttflist):
        plt.rcParams["font.family"] = FONT
    plt.rcParams["axes.unicode_minus"] = False
    out = []

    def save(fig, title):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
        plt.close(fig)
        out.append((title, buf.getvalue()))

    fig, ax = plt.subplots(figsize=(6, 3))
    labels = [label for label, _ in f["members"]["ages"]]
    ax.bar(labels, [n for _, n in f["members"]["ages"]], color="#c8102e")
    ax.set_title("党员年龄结构")
    save(fig, "党员年龄结构")
    fig, ax = plt.subplots(figsize=(6, 3))
    stages = f["pipeline"]
    ax.barh([s["label"] for s in stages][::-1], [s["total"] for s in stages][::-1], color="#e67e22")
    ax.set_title("发展党员各阶段人数")
    save(fig, "发展党员各阶段人数")
    fig, ax = plt.subplots(figsize=(6, 3))
    years = f["admissions_by_year"]
    ax.plot([str(y) for y, _ in years], [n for _, n in years], marker="o", color="#c8102e")
    ax.set_title("历年发展党员数")
    save(fig, "历年发展党员数")
    return out


def render_docx(org: Organization, f: dict, as_of: dt.date, start: dt.date, end: dt.date) -> bytes:
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.font.size = Pt(11)
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    doc.add_heading(f"{org.name}党员队伍结构和发展党员情况统计报告", level=1)
    doc.add_paragraph(f"统计截至 {as_of.isoformat()}；发展党员统计期间 {start.isoformat()} 至 {end.isoformat()}。")
    for para in summary_text(org, f, as_of, start, end):
        doc.add_paragraph(para)
    for title, head, rows in tables(f):
        doc.add_heading(title, level=2)
        t = doc.add_table(rows=1, cols=len(head))
        t.style = "Table Grid"
        for i, h in enumerate(head):
            t.rows[0].cells[i].text = str(h)
        for r in rows:
            cells = t.add_row().cells
            for i, v in enumerate(r):
                cells[i].text = f"{v:.2f}" if isinstance(v, float) else str(v)
    doc.add_heading("图表", level=2)
    for title, png in _charts(f):
        doc.add_paragraph(title)
        doc.add_picture(io.BytesIO(png), width=Cm(15))
    doc.add_paragraph("口径说明：党员指正式党员和预备党员；年龄按统计截止日计算（发展党员按支部大会讨论接收之日）；"
                      "农村党员指农业户籍党员；高中及以上含高中、中专、中技、大专、本科、研究生。")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def render_xlsx(org: Organization, f: dict, as_of: dt.date, start: dt.date, end: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "说明"
    ws.append([f"{org.name}党员队伍结构和发展党员情况统计"])
    ws.append([f"统计截至 {as_of.isoformat()}，发展党员统计期间 {start.isoformat()} 至 {end.isoformat()}"])
    for para in summary_text(org, f, as_of, start, end):
        ws.append([para])
    for title, head, rows in tables(f):
        sh = wb.create_sheet(title[:31])
        sh.append(head)
        for c in sh[1]:
            c.font = Font(bold=True)
        for r in rows:
            sh.append(r)
        sh.freeze_panes = "A2"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def render_json(org: Organization, f: dict, as_of: dt.date, start: dt.date, end: dt.date) -> bytes:
    doc: dict[str, Any] = {"organization": {"code": org.code, "name": org.name}, "as_of": as_of.isoformat(),
                           "from": start.isoformat(), "to": end.isoformat(), "figures": f,
                           "text": summary_text(org, f, as_of, start, end)}
    return json.dumps(doc, ensure_ascii=False, indent=1, default=str).encode()


RENDERERS = {"docx": render_docx, "xlsx": render_xlsx, "json": render_json}
CONTENT_TYPES = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "json": "application/json"}


def render(fmt: str, org: Organization, f: dict, as_of: dt.date, start: dt.date, end: dt.date) -> bytes:
    return RENDERERS[fmt](org, f, as_of, start, end)
