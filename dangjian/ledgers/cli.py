"""`dangjian ledger …`: import, check-up, export and templates from the command line, and the job runner.

    dangjian ledger import FILE --user USERNAME [--org CODE] [--kind KIND] [--map 列=字段 …] [--commit]
    dangjian ledger check FILE [--user USERNAME] [--xlsx OUT.xlsx]
    dangjian ledger export KIND --user USERNAME -o FILE.xlsx [--org CODE] [--reveal-ids]
    dangjian ledger template KIND -o FILE.xlsx
    dangjian ledger run-job ID          (started by the web pages; runs one job's current phase)

`import` prints {"rows", "created", "updated", "unchanged", "errors", "warnings"} and exits 0 when the file is
valid, 1 when it is not (nothing is written without --commit, nor with it when there is any error). Progress
and the column mapping used go to stderr; --map corrects the mapping (as the pages' 确认列 step does). No Django import at module level: the top-level parser imports this before Django is set up.
"""

from __future__ import annotations

import json
import sys

KIND_CHOICES = ["reserve", "applicant", "activist", "candidate", "probationary", "members"]


def add_parser(sub) -> None:
    p = sub.add_parser("ledger", help="台账：导入、体检、导出（Excel/CSV）")
    lsub = p.add_subparsers(dest="ledger_command", required=True)

    i = lsub.add_parser("import", help="导入台账（默认只检查；--commit 才写入，全部或全不）")
    i.add_argument("file")
    i.add_argument("--user", required=True, help="以该用户的身份和管辖范围导入")
    i.add_argument("--org", default="", help="行中未填所在党组织时使用的组织代码")
    i.add_argument("--kind", choices=KIND_CHOICES, default=None, help="台账类型（默认按列名判断）")
    i.add_argument("--map", action="append", default=[], metavar="列=字段",
                   help="更正列对应（可多次）：文件中的列（列名、列字母或第几列）=字段（标准列名），“-”表示不导入该列；"
                        "例如 --map 证件号=公民身份号码 --map F=-")
    i.add_argument("--commit", action="store_true", help="没有错误时写入数据库")
    i.set_defaults(func=cmd_import)

    c = lsub.add_parser("check", help="体检：按规则检查台账中的步骤日期，不导入")
    c.add_argument("file")
    c.add_argument("--user", default="", help="使用该用户所在县的规则设置（默认全国标准）")
    c.add_argument("--xlsx", default="", help="另存一份标出问题单元格的 .xlsx")
    c.set_defaults(func=cmd_check)

    e = lsub.add_parser("export", help="导出台账（.xlsx）")
    e.add_argument("kind", choices=KIND_CHOICES)
    e.add_argument("--user", required=True)
    e.add_argument("-o", "--output", required=True)
    e.add_argument("--org", default="", help="只导出该组织及下级")
    e.add_argument("--reveal-ids", action="store_true", help="导出完整的公民身份号码（须有权限，记入审计）")
    e.set_defaults(func=cmd_export)

    t = lsub.add_parser("template", help="下载空白模板")
    t.add_argument("kind", choices=KIND_CHOICES)
    t.add_argument("-o", "--output", required=True)
    t.set_defaults(func=cmd_template)

    r = lsub.add_parser("run-job")
    r.add_argument("job_id", type=int)
    r.set_defaults(func=cmd_run_job)


def _setup() -> None:
    from dangjian.cli import _django

    _django()


def _user(username: str):
    from dangjian.orgs.models import User

    user = User.objects.select_related("organization").filter(username=username, is_active=True).first()
    if user is None:
        print(f"用户 {username} 不存在或已停用", file=sys.stderr)
    elif user.organization is None:
        print(f"用户 {username} 没有所属组织，不能操作台账", file=sys.stderr)
        return None
    return user


class _StderrProgress:
    def __init__(self) -> None:
        self.last = -1

    def __call__(self, done: int, total: int, label: str) -> None:
        pct = int(100 * done / total) if total else 100
        if pct != self.last:
            self.last = pct
            print(f"\r{label}：{done}/{total} 行（{pct}%）", end="", file=sys.stderr, flush=True)

    def end(self) -> None:
        if self.last >= 0:
            print(file=sys.stderr, flush=True)


def _actor(user):
    from dangjian.core.audit import Actor

    return Actor(user=user, ip="cli", request_id="cli")


def cmd_import(args) -> int:
    _setup()
    from pathlib import Path

    from dangjian.ledgers.services import ledger_import

    user = _user(args.user)
    if user is None:
        return 2
    progress = _StderrProgress()
    try:
        summary = ledger_import(actor=_actor(user), path=Path(args.file), kind=args.kind, default_org_code=args.org,
                                commit=args.commit, progress=progress, filename=Path(args.file).name,
                                corrections=args.map)
    except PermissionError as exc:
        progress.end()
        print(str(exc), file=sys.stderr)
        return 2
    except FileNotFoundError:
        progress.end()
        print(f"文件不存在：{args.file}", file=sys.stderr)
        return 2
    progress.end()
    if summary.columns:
        print("列对应：" + "；".join(summary.columns), file=sys.stderr)
    print(json.dumps(summary.as_json(), ensure_ascii=False, indent=1))
    if args.commit:
        print("已写入。" if summary.committed else "有错误，没有写入任何数据。", file=sys.stderr)
    return 0 if summary.valid else 1


def cmd_check(args) -> int:
    _setup()
    from pathlib import Path

    from dangjian.core import clock
    from dangjian.development import engine
    from dangjian.ledgers.checkup import annotate, ledger_check

    config = {}
    if args.user:
        user = _user(args.user)
        if user is None:
            return 2
        config = engine.config_for(user.organization.path)[0]
    if not Path(args.file).exists():
        print(f"文件不存在：{args.file}", file=sys.stderr)
        return 2
    progress = _StderrProgress()
    result, table = ledger_check(path=Path(args.file), config=config, as_of=clock.today(), progress=progress)
    progress.end()
    if args.xlsx and table is not None:
        annotate(table, Path(args.file), result, Path(args.xlsx))
    print(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
    return 1 if result.errors and table is None else 0


def cmd_export(args) -> int:
    _setup()
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from dangjian.ledgers.services import ledger_export

    user = _user(args.user)
    if user is None:
        return 2
    progress = _StderrProgress()
    try:
        with open(args.output, "wb") as fh:
            n = ledger_export(actor=_actor(user), kind=args.kind, out=fh, org_code=args.org,
                              reveal_ids=args.reveal_ids, progress=progress)
    except (PermissionDenied, Http404) as exc:
        progress.end()
        print(str(exc) or "组织不存在或不在该用户的管辖范围内", file=sys.stderr)
        return 2
    progress.end()
    print(f"已导出 {n} 行：{args.output}", file=sys.stderr)
    return 0


def cmd_template(args) -> int:
    _setup()
    from dangjian.ledgers.services import template_xlsx

    with open(args.output, "wb") as fh:
        template_xlsx(args.kind, fh)
    return 0


def cmd_run_job(args) -> int:
    _setup()
    from dangjian.ledgers.jobs import run_job

    run_job(args.job_id)
    return 0
