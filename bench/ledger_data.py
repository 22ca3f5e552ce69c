"""Data generator for the ledger benchmarks (issue 4): a 党员名册 of N rows × 20 columns as .xlsx.

    .venv/bin/python bench/ledger_data.py [--rows 100000] [-o var/bench/ledger/members-100000.xlsx]

The 20 columns are what a county's member roster holds: the 14 the import reads (序号, 姓名, 性别, 民族, 公民身份号码,
出生日期, 学历, 户籍类型, 人员类别, 联系电话, 所在党组织, 党员类别, 入党时间, 转正时间, 备注 — 序号 ignored) and 5 it does not
(籍贯, 工作单位及职务, 家庭住址, 党费标准, 是否流动党员), so the reader pays for every cell. ID numbers are text cells,
dates are date cells, as Excel writes them. Valid throughout: every row imports. Deterministic (seeded).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dangjian.ledgers.xlsxstream import write_xlsx  # noqa: E402
from dangjian.people import idnumber  # noqa: E402

HEADER = ["序号", "姓名", "性别", "民族", "公民身份号码", "出生日期", "学历", "户籍类型", "人员类别", "联系电话", "所在党组织",
          "党员类别", "入党时间", "转正时间", "备注", "籍贯", "工作单位及职务", "家庭住址", "党费标准", "是否流动党员"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红玉兰文斌辉力永林"
EDU = ["小学", "初中", "高中", "中专", "大专", "本科"]
OCC = ["农牧渔民", "外出务工经商", "退役军人", "村组干部", "致富能手", ""]


def rows(n: int, org_codes: list[str], seed: int = 2026):
    rnd = random.Random(seed)
    used: set[str] = set()
    for i in range(1, n + 1):
        while True:
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=rnd.randrange(0, 365 * 60))
            male = rnd.random() < 0.7
            seq = rnd.randrange(0, 500) * 2 + (1 if male else 0)
            number = idnumber.make("522730", birth, seq % 1000)
            if number not in used:
                used.add(number)
                break
        joined = birth + dt.timedelta(days=365 * rnd.randrange(19, 40) + rnd.randrange(0, 365))
        joined = min(joined, dt.date(2023, 6, 30))
        full = joined + dt.timedelta(days=365)
        name = rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < 0.7 else "")
        yield [i, name, "男" if male else "女", "汉族", number, birth, rnd.choice(EDU), "农业", rnd.choice(OCC),
               f"13{rnd.randrange(100000000, 999999999)}", rnd.choice(org_codes), "正式党员", joined, full,
               "", "贵州省", "务农", f"{rnd.choice('东西南北')}村{rnd.randrange(1, 20)}组", "0.2", "否"]


def generate(path: Path, n: int, org_codes: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as fh:
        write_xlsx(fh, "党员名册", HEADER, rows(n, org_codes))
    return path


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("-o", "--output", default="")
    p.add_argument("--orgs", default="B001,B002,B003,B004,B005,B006,B007,B008,B009,B010")
    args = p.parse_args()
    out = Path(args.output or ROOT / "var" / "bench" / "ledger" / f"members-{args.rows}.xlsx")
    generate(out, args.rows, args.orgs.split(","))
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
