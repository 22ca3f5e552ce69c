"""The `dangjian` command: demo data, serving, the tree, audit verification, rule checks, Django's commands.

    dangjian demo [--seed N] [--scale county|province] [--force]
    dangjian serve [--port PORT] [--workers N]
    dangjian orgs --json
    dangjian audit verify
    dangjian check FILE|-
    dangjian recheck [--org CODE]
    dangjian keygen
    dangjian token create USERNAME
    dangjian ledger import|check|export|template …   (docs/ledgers.md)
    dangjian report structure --org CODE --from DATE --to DATE --format docx|xlsx|json [-o FILE]   (docs/stats.md)
    dangjian stats rebuild|verify|compact
    dangjian manage <django command> …
"""

from __future__ import annotations

import argparse
import json
import os
import sys


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    import django

    django.setup()


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _keygen() -> bool:
    from django.conf import settings

    from dangjian.core.crypto import generate_key_file

    created = generate_key_file(settings.DANGJIAN_KEY_FILE)
    secret = settings.VAR_DIR / "secret_key"
    if not os.environ.get("DANGJIAN_SECRET_KEY") and not secret.exists():
        import secrets

        secret.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(50))
    return created


def cmd_keygen(args) -> int:
    _django()
    from django.conf import settings

    created = _keygen()
    print(f"{'已生成' if created else '已存在'}密钥文件：{settings.DANGJIAN_KEY_FILE}")
    return 0


def cmd_demo(args) -> int:
    _django()
    _keygen()
    _migrate()
    from dangjian.demo.generate import DEMO_ACCOUNTS, DEMO_PASSWORD, analyze, generate, has_data

    if has_data() and not args.force:
        print("数据库中已有数据，跳过演示数据生成（--force 清空后重新生成）。")
        return 0
    summary = generate(seed=args.seed, scale=args.scale, force=args.force,
                       progress=lambda msg: print(msg, file=sys.stderr, flush=True))
    analyze()
    print(json.dumps(summary, ensure_ascii=False))
    print(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, desc in DEMO_ACCOUNTS:
        print(f"  {username:<22} {desc}")
    return 0


def cmd_serve(args) -> int:
    _django()
    _keygen()
    _migrate()
    from dangjian.core.models import Installation

    port = args.port or int(os.environ.get("PORT", "8000"))
    if Installation.objects.filter(is_demo=True).exists():
        from dangjian.demo.generate import DEMO_ACCOUNTS, DEMO_PASSWORD

        print(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, desc in DEMO_ACCOUNTS:
            print(f"  {username:<22} {desc}")
    print(f"dangjian 已启动：http://127.0.0.1:{port}/  （Ctrl+C 停止）", flush=True)
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", "dangjian.wsgi:application", "--bind", f"{args.host}:{port}",
                "--workers", str(args.workers), "--timeout", "120", "--access-logfile", "-",
                # Path without the query string: a search may carry an ID number, which must never reach a log.
                "--access-logformat", '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(b)s %(L)ss']
    return run() or 0


def cmd_orgs(args) -> int:
    _django()
    from dangjian.orgs.models import Organization

    rows = [{"code": o.code, "name": o.name, "kind": o.kind, "parent_code": o.parent.code if o.parent_id else None}
            for o in Organization.objects.select_related("parent").order_by("path")]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for o in Organization.objects.order_by("path"):
            print(f"{'  ' * o.depth}{o.code}  {o.name}（{o.get_kind_display()}）")
    return 0


def cmd_audit(args) -> int:
    _django()
    from dangjian.core.audit import audit_verify

    result = audit_verify()
    if result.ok:
        print(f"审计链完整：已校验 {result.checked} 条记录。")
        return 0
    print(f"审计链被破坏：第一条异常记录 id={result.first_bad_id}（{result.reason}）；此前 {result.checked} 条完好。")
    return 1


def cmd_check(args) -> int:
    from dangjian.rules.cli import main as check_main

    return check_main(args.rest)


def cmd_recheck(args) -> int:
    _django()
    from dangjian.core.audit import Actor
    from dangjian.development.services import dossier_recheck
    from dangjian.orgs.models import Organization

    path = None
    if args.org:
        org = Organization.objects.filter(code=args.org).first()
        if org is None:
            print(f"组织代码 {args.org} 不存在", file=sys.stderr)
            return 2
        path = org.path
    n = dossier_recheck(actor=Actor(), org_path=path)
    print(f"已重新检查 {n} 份发展党员档案。")
    return 0


def cmd_token(args) -> int:
    _django()
    import hashlib
    import secrets

    from dangjian.core.audit import Actor, audit_log
    from dangjian.core.models import ApiToken
    from dangjian.orgs.models import User

    user = User.objects.filter(username=args.username).first()
    if user is None:
        print(f"用户 {args.username} 不存在", file=sys.stderr)
        return 2
    token = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=args.name, key_hash=hashlib.sha256(token.encode()).hexdigest())
    audit_log(actor=Actor(), action="token.create", obj_type="user", obj_id=user.username)
    print(token)
    return 0


def cmd_manage(args) -> int:
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dangjian manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dangjian", description="发展党员全程纪实系统")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="生成演示县数据（不启动服务）")
    d.add_argument("--seed", type=int, default=2026)
    d.add_argument("--scale", choices=["county", "province"], default="county")
    d.add_argument("--force", action="store_true", help="清空数据库后重新生成")
    d.set_defaults(func=cmd_demo)

    s = sub.add_parser("serve", help="启动网站（gunicorn）")
    s.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    s.add_argument("--port", type=int, default=None)
    s.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    s.set_defaults(func=cmd_serve)

    o = sub.add_parser("orgs", help="列出组织树")
    o.add_argument("--json", action="store_true")
    o.set_defaults(func=cmd_orgs)

    a = sub.add_parser("audit", help="审计日志")
    a.add_argument("action", choices=["verify"])
    a.set_defaults(func=cmd_audit)

    c = sub.add_parser("check", help="按规则检查发展党员记录（JSON）", add_help=False)
    c.add_argument("rest", nargs=argparse.REMAINDER)
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("recheck", help="按当前规则和设置重新检查发展党员档案")
    r.add_argument("--org", default="", help="只检查该组织及下级")
    r.set_defaults(func=cmd_recheck)

    k = sub.add_parser("keygen", help="生成身份证号码加密密钥与 SECRET_KEY（已存在则不变）")
    k.set_defaults(func=cmd_keygen)

    t = sub.add_parser("token", help="API 令牌")
    t.add_argument("action", choices=["create"])
    t.add_argument("username")
    t.add_argument("--name", default="")
    t.set_defaults(func=cmd_token)

    from dangjian.ledgers.cli import add_parser as add_ledger_parser

    add_ledger_parser(sub)
    from dangjian.stats.cli import add_parser as add_stats_parser

    add_stats_parser(sub)

    m = sub.add_parser("manage", help="Django 管理命令", add_help=False)
    m.add_argument("rest", nargs=argparse.REMAINDER)
    m.set_defaults(func=cmd_manage)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
