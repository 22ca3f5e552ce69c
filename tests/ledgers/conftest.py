"""Ledger tests: jobs run inline (in the test's process and transaction) unless a test says otherwise, and the
ledger folder is a temporary one."""

from __future__ import annotations

import datetime as dt

import pytest

from dangjian.core import clock
from tests.conftest import make_id

TODAY = dt.date(2025, 6, 30)


@pytest.fixture(autouse=True)
def _ledger_settings(settings, tmp_path):
    settings.LEDGER_DIR = tmp_path / "ledgers"
    settings.LEDGER_JOB_RUNNER = "inline"


@pytest.fixture
def today():
    with clock.frozen(TODAY):
        yield TODAY


def activist_rows(n: int = 3, org: str = "T101", **over) -> tuple[list[list], list[str]]:
    """A small activist ledger (header + n rows) and the ID numbers in it."""
    header = ["序号", "姓名", "性别", "身份证号", "所在党支部", "申请入党时间", "谈话时间", "谈话人",
              "确定为入党积极分子时间", "培养联系人"]
    rows, ids = [header], []
    names = ["刘一", "陈二", "杨三", "黄四", "吴五", "周六", "徐七", "孙八", "马九", "朱十"]
    for i in range(n):
        number = make_id(dt.date(1995, 1 + i % 12, 1 + i % 27), male=i % 2 == 0)
        ids.append(number)
        rows.append([i + 1, names[i % len(names)] + "华", "男" if i % 2 == 0 else "女", number, org,
                     "2023/3/1", "2023.3.20", "王书记", "2023年9月5日", "张三丰、王建国"])
    return rows, ids
