"""`dangjian report …` and `dangjian stats …`:

    dangjian report structure --org CODE [--from DATE] [--to DATE] [--as-of DATE] --format docx|xlsx|json
                              [-o FILE] [--user USERNAME]
    dangjian stats rebuild      recompute the roll-up counts from the person registry
    dangjian stats verify       compare the roll-up with a fresh count (exit 1 when they differ)
    dangjian stats compact      fold the appended increments into the roll-up (PostgreSQL: run nightly)

Without --user the report is the operator's (server-side, whole database); with it, that user's scope applies.
No Django import at module level (the top-level parser imports this before Django is set up).
"""

from __future__ import annotations

import datetime as dt
import sys


def _date(text: str) -> dt.date:
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 2025-03-01：{text}") from exc


def add_parser(sub) -> None:
    r = sub.add_parser("report", help="统计报告（Word / Excel / JSON）")
    rsub = r.add_subparsers(dest="report_command", required=True)
    s = rsub.add_parser("structure", help="党员队伍结构和发展党员情况统计报告")
    s.add_argument("--org", required=True, help="组织代码")
    s.add_argument("--from", dest="start", type=_date, default=None, help="发展党员统计期间起（默认截止日所在年1月1日）")
    s.add_argument("--to", dest="end", type=_date, default=None, help="发展党员统计期间止（默认统计截止日）")
    s.add_argument("--as-of", dest="as_of", type=_date, default=None, help="统计截止日（默认今天）")
    s.add_argument("--format", choices=["docx", "xlsx", "json"], default="docx")
    s.add_argument("-o", "--output", default="", help="输出文件（默认写到标准输出）")
    s.add_argument("--user", default="", help="按该用户的管辖范围统计")
    s.set_defaults(func=cmd_report)

    st = sub.add_parser("stats", help="统计汇总表：重建、核对")
    st.add_argument("action", choices=["rebuild", "verify", "compact"])
    st.set_defaults(func=cmd_stats)


def _setup() -> None:
    from dangjian.cli import _django, _migrate

    _django()
    _migrate()


def cmd_report(args) -> int:
    _setup()
    from django.http import Http404

    from dangjian.core import clock
    from dangjian.core.audit import Actor, audit_log
    from dangjian.orgs.models import Organization, User
    from dangjian.stats import report
    from dangjian.stats.figures import StatsContext, compute_figures
    from dangjian.stats.selectors import root_org

    as_of = args.as_of or clock.today()
    end = args.end or as_of
    start = args.start or dt.date(end.year, 1, 1)
    if start > end:
        print(f"--from {start} 晚于 --to {end}", file=sys.stderr)
        return 2
    user = None
    if args.user:
        user = User.objects.select_related("organization").filter(username=args.user, is_active=True).first()
        if user is None:
            print(f"没有用户 {args.user}", file=sys.stderr)
            return 2
        try:
            org = root_org(user=user, code=args.org)
        except Http404:
            print("组织不存在或不在该用户的管辖范围内", file=sys.stderr)
            return 2
    else:
        org = Organization.objects.filter(code=args.org).first()
        if org is None:
            print(f"没有组织代码 {args.org}", file=sys.stderr)
            return 2
    figures = compute_figures(StatsContext(org=org, as_of=as_of, start=start, end=end))
    body = report.render(args.format, org, figures, as_of, start, end)
    audit_log(actor=Actor(user=user, ip="cli"), action="stats.report", obj_type="organization", obj_id=org.code,
              detail={"format": args.format, "as_of": as_of, "from": start, "to": end, "channel": "cli"})
    if args.output:
        with open(args.output, "wb") as fh:
            fh.write(body)
        print(f"已生成：{args.output}", file=sys.stderr)
    else:
        sys.stdout.buffer.write(body)
        sys.stdout.flush()
    return 0


def cmd_stats(args) -> int:
    _setup()
    from dangjian.core.audit import Actor
    from dangjian.stats.rollup import fresh_counts, rollup_counts
    from dangjian.stats.services import stats_rebuild

    if args.action == "rebuild":
        n = stats_rebuild(actor=Actor(ip="cli"))
        print(f"统计汇总表已重建：{n} 行")
        return 0
    if args.action == "compact":
        from dangjian.stats.rollup import rollup_compact

        print(f"已合并 {rollup_compact()} 条增量")
        return 0
    same = rollup_counts() == fresh_counts()
    print("统计汇总表与人员库一致" if same else "统计汇总表与人员库不一致，请运行 dangjian stats rebuild")
    return 0 if same else 1
