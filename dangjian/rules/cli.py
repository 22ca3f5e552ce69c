"""``dangjian check FILE|-``: check dossiers given as JSON (PROCEDURE.md §5).

Prints one JSON document (UTF-8, Chinese as is) to stdout and exits 0. Malformed input — not JSON,
unknown field, wrong type or value, impossible date, negative count — exits 2 with the JSON path at fault
on stderr (``$.dossiers[0].activist.dat: unknown field``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from dangjian.rules.engine import check_document
from dangjian.rules.schema import InputError

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object hook that refuses a key given twice (the second would silently win)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise InputError("$", f"duplicate field {key!r}（字段重复）")
        out[key] = value
    return out


def _reject_constant(name: str) -> Any:
    raise InputError("$", f"not valid JSON: {name}（不是合法的 JSON）")


def parse_json(text: str) -> Any:
    """Decode JSON strictly (no NaN/Infinity, no duplicate keys); errors are :class:`InputError` at ``$``."""
    try:
        return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            "$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}（不是合法的 JSON）"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dangjian check", description="按发展党员工作细则检查档案（JSON）")
    parser.add_argument("file", metavar="FILE", help="JSON 文件，或 - 表示标准输入")
    return parser


def _read(name: str, stdin: TextIO) -> str:
    if name == "-":
        data = stdin.read()
        return data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    try:
        with open(name, encoding="utf-8-sig") as handle:
            return handle.read()
    except OSError as exc:
        raise InputError("$", f"cannot read {name}: {exc.strerror}（无法读取文件）") from None
    except UnicodeDecodeError:
        raise InputError("$", f"{name} is not UTF-8（文件不是 UTF-8 编码）") from None


def main(
    argv: list[str] | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Run ``dangjian check``; returns the exit code (0 checked, 2 malformed input or usage)."""
    stdin = stdin if stdin is not None else sys.stdin
    stdout = stdout if stdout is not None else sys.stdout
    stderr = stderr if stderr is not None else sys.stderr
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) == 2 and args[0] == "check":
        args = args[1:]  # called with the subcommand still in front
    if args in (["-h"], ["--help"]):
        stdout.write(_parser().format_help())
        return EXIT_OK
    if len(args) != 1:
        stderr.write(_parser().format_usage())
        stderr.write("dangjian check: 需要且只需要一个参数 FILE（或 -）\n")
        return EXIT_BAD_INPUT
    try:
        output = check_document(parse_json(_read(args[0], stdin)))
    except InputError as exc:
        stderr.write(f"{exc.path}: {exc.message}\n")
        return EXIT_BAD_INPUT
    try:
        stdout.write(json.dumps(output, ensure_ascii=False, indent=2))
        stdout.write("\n")
        stdout.flush()
    except BrokenPipeError:  # e.g. `dangjian check f.json | head`: the reader left, nothing is wrong
        pass
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
