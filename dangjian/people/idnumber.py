"""Resident ID numbers (GB 11643-1999): check digit, birth date, gender, masking. Pure functions."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
import unicodedata
from dataclasses import dataclass

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would also take other scripts' digits


class IdNumberError(ValueError):
    """The message is Chinese and fit to show to the user."""


@dataclass(frozen=True)
class IdNumberInfo:
    number: str
    region: str
    birth_date: dt.date
    gender: str  # "male" | "female"


def check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError("check_digit needs the first 17 digits")
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))  # map: imports check 100,000 numbers twice
    return _CHECK[total % 11]


def normalize(raw: str) -> str:
    # NFKC folds full-width digits and Ｘ (typed by Chinese input methods) to ASCII, so one number has one
    # stored form and one blind index (else a full-width retyping would slip past the duplicate check).
    return unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "").upper()


@functools.lru_cache(maxsize=4096)  # more than an import's chunk (2000 rows)
def parse(raw: str) -> IdNumberInfo:
    """Validate an 18-digit ID number and return what it encodes; IdNumberError with a Chinese reason.
    Cached (the result is immutable): an import parses each number twice, as a cell and in `person_clean`."""
    number = normalize(raw)
    if not _SHAPE.match(number):
        raise IdNumberError("公民身份号码应为18位：前17位为数字，最后一位为数字或X")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:
        raise IdNumberError(f"公民身份号码中的出生日期 {number[6:14]} 不是有效日期") from exc
    if birth.year < 1900:
        raise IdNumberError(f"公民身份号码中的出生日期 {birth.isoformat()} 不合理")
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise IdNumberError("公民身份号码校验位错误，请核对号码")
    gender = "male" if int(number[16]) % 2 == 1 else "female"
    return IdNumberInfo(number=number, region=number[:6], birth_date=birth, gender=gender)


def mask(number: str) -> str:
    """110101********1234: the region and the last four, never the birth date."""
    number = normalize(number)
    if len(number) != 18:
        return "*" * len(number)
    return f"{number[:6]}********{number[14:]}"


def make(region: str, birth: dt.date, sequence: int) -> str:
    """Build a valid number (demo data, tests): sequence 0–999, odd for men."""
    first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_digit(first17)
