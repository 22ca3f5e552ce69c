"""Cell values as users type them in Excel, WPS and CSV, turned into typed values or a Chinese reason.

Pure functions, no Django. A cell arrives as what the reader gives: `str` (CSV, text cells), `float`/`int`
(numeric cells), `bool`, `datetime.date`/`datetime.datetime` (date-formatted cells) or `None`/"" (empty).
Every parser raises `CellError` with a message fit to show next to the row and column.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from typing import Any

from dangjian.people import idnumber


class CellError(ValueError):
    """The message is Chinese and names what is wrong with the value (not where: the caller knows)."""


# Excel's day 0 is 1899-12-30 for every serial after 1900-02-28 (the 1900 leap-year bug sits before that).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 1, 73050  # 1900-01-01 … 2099-12-31
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YM = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_SPACES = re.compile(r"\s+")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]\Z")  # ASCII, no spaces, no apostrophe: the usual text cell
_RANGE = re.compile(r"\s*(?:至|到|~|～|—|–|－|--)\s*")


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    out = ""
    n = index + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def column_index(letters: str) -> int:
    """A → 0, Z → 25, AA → 26 (the inverse of column_letter; letters in either case)."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n - 1


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def display(value: Any) -> str:
    """The value as the user sees it in the sheet (for messages): numbers without a useless ".0",
    large numbers the way Excel shows them (5.22731E+17)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1e11:
            return f"{value:.5E}".replace("E+0", "E+")
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _norm(text: str) -> str:
    # Full-width digits and punctuation (typed by Chinese input methods) fold to ASCII.
    return unicodedata.normalize("NFKC", text).strip()


def text(value: Any, *, max_length: int = 100) -> str:
    """A text cell. Numbers typed in a text column (a phone number as 13800000000) come back as digits."""
    if is_empty(value):
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        raise CellError("这里应填文字，却是一个日期")
    out = str(value).strip().lstrip("'").strip()
    if len(out) > max_length:
        raise CellError(f"内容过长（{len(out)} 个字，最多 {max_length} 个）")
    return out


def _from_serial(value: float) -> dt.date:
    return _EXCEL_EPOCH + dt.timedelta(days=int(value))


def date(value: Any) -> dt.date | None:
    """A date in any of the forms users type: 2023-03-01, 2023/3/1, 2023.3.1, 2023年3月1日, 20230301, an
    Excel date cell, or an Excel date serial (45000). None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError("不是日期")
    if isinstance(value, int | float):
        if float(value).is_integer() and 19000101 <= value <= 21001231:
            return date(str(int(value)))
        if _SERIAL_MIN <= value <= _SERIAL_MAX:
            return _from_serial(value)
        raise CellError("不是日期（数字超出了 Excel 日期的范围）")
    raw = _norm(str(value)).lstrip("'")
    raw = _TIME_TAIL.sub("", raw).strip()
    m = _YMD.match(raw) or _COMPACT.match(raw)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        if not 1900 <= y <= 2100:
            raise CellError(f"年份 {y} 不合理")
        try:
            return dt.date(y, mo, d)
        except ValueError:
            raise CellError("日期不存在（请核对月、日）") from None
    if _YM.match(raw):
        raise CellError("只有年月，缺少日（应为 2023-03-01 这样的完整日期）")
    if re.match(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$", raw):
        raise CellError("年份应在前且为四位数（应为 2023-03-01 这样的格式）")
    raise CellError("不是有效日期（可写 2023-03-01、2023/3/1、2023.3.1、2023年3月1日 或 20230301）")


def year_month_or_date(value: Any) -> tuple[int, int, int | None] | None:
    """出生年月: a full date, or only year and month (1990.05, 1990年5月). None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        raw = _TIME_TAIL.sub("", _norm(value)).strip()
        m = _YM.match(raw)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            if not 1 <= mo <= 12 or not 1900 <= y <= 2100:
                raise CellError("年月不存在")
            return y, mo, None
    if isinstance(value, float) and not value.is_integer() and 1900 < value < 2100:
        # 1990.05 typed into a numeric cell.
        y, frac = divmod(round(value * 100), 100)
        if 1 <= frac <= 12:
            return int(y), int(frac), None
    d = date(value)
    return (d.year, d.month, d.day) if d else None


def date_list(value: Any) -> list[dt.date]:
    """Several dates in one cell (half-yearly assessments): separated by 、，,；; or spaces."""
    if is_empty(value):
        return []
    if not isinstance(value, str):
        return [d for d in [date(value)] if d]
    parts = [p for p in re.split(r"[、，,;；\s]+", _norm(value)) if p]
    return [d for d in (date(p) for p in parts) if d]


def date_range(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """A period in one cell: "2023-10-16至2023-10-18" (also ~, ～, —). A single date is the end."""
    if is_empty(value):
        return None, None
    if isinstance(value, str):
        raw = _norm(value)
        parts = [p for p in _RANGE.split(raw) if p]
        if len(parts) == 1:
            m = re.match(r"^(\d{4}[./年]\d{1,2}[./月]\d{1,2}日?)\s*-\s*(\d{4}[./年]\d{1,2}[./月]\d{1,2}日?)$", raw)
            if m:
                parts = [m.group(1), m.group(2)]
        if len(parts) == 2:
            start, end = date(parts[0]), date(parts[1])
            if start and end and start > end:
                raise CellError("开始日期晚于结束日期")
            return start, end
        if len(parts) > 2:
            raise CellError("应为一个日期，或“开始日期至结束日期”")
    return None, date(value)


def integer(value: Any) -> int | None:
    """A whole number; a unit after it is allowed (3天, 24学时)."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise CellError("应为整数")
    if isinstance(value, int | float):
        if not float(value).is_integer():
            raise CellError("应为整数")
        return int(value)
    m = re.match(r"^(\d+)\s*(天|日|学时|课时|小时|个月|月|人|名)?$", _norm(str(value)))
    if not m:
        raise CellError("应为整数")
    return int(m.group(1))


def names(value: Any) -> list[str]:
    """People named in one cell: "张三、李四" (also ，,；/ or spaces)."""
    if is_empty(value):
        return []
    return [p for p in re.split(r"[、，,;；/\s]+", _norm(str(value))) if p]


def id_number(value: Any) -> str:
    """A resident ID number, read as text. A number already mangled by Excel (a numeric cell, or the text
    5.22731E+17 in a CSV) is reported as such, never guessed back."""
    if value.__class__ is str and _PLAIN_ID.match(value):
        raw = value  # already in its normal form, and neither scientific nor 15 digits: straight to the check
    else:
        raw = _id_text(value)
    try:
        return idnumber.parse(raw).number
    except idnumber.IdNumberError as exc:
        raise CellError(str(exc)) from None


def _id_text(value: Any) -> str:
    if isinstance(value, bool):
        raise CellError("不是公民身份号码")
    if isinstance(value, int | float):
        raise CellError(f"号码被 Excel 存成了数字（显示为 {display(float(value))}），后几位已经丢失、无法还原；"
                        "请把该列设为“文本”格式，重新填写完整的 18 位号码")
    raw = idnumber.normalize(str(value)).lstrip("'")
    if _SCIENTIFIC.match(raw):
        raise CellError(f"号码已被 Excel 转成科学计数法（{raw}），后几位已经丢失、无法还原；"
                        "请在 Excel 中把该列设为“文本”格式，重新填写完整的 18 位号码")
    if re.fullmatch(r"\d{15}", raw):
        raise CellError("这是 15 位的旧号码，请填写 18 位公民身份号码")
    return raw


@functools.lru_cache(maxsize=4096)
def _choice_key(text: str) -> str:
    # A ledger repeats a handful of labels (男, 高中, 正式党员) 100,000 times: normalize each once.
    return _SPACES.sub("", _norm(text))


def choice(value: Any, synonyms: dict[str, str], what: str) -> str:
    """A label from a closed list ("党支部书记", "男"), by its Chinese label, a common synonym or its code."""
    if is_empty(value):
        return ""
    key = _choice_key(value if isinstance(value, str) else str(value))
    if key in synonyms:
        return synonyms[key]
    shown = "、".join(dict.fromkeys(k for k in synonyms if not k.isascii()))
    raise CellError(f"无法识别的{what}（可填：{shown}）")


def multi_choice(value: Any, synonyms: dict[str, str], what: str) -> list[str]:
    if is_empty(value):
        return []
    parts = [p for p in re.split(r"[、，,;；/\s]+", _norm(str(value))) if p]
    return list(dict.fromkeys(choice(p, synonyms, what) for p in parts))


def is_formula_text(value: Any) -> bool:
    """A CSV cell that holds a formula rather than a value."""
    return isinstance(value, str) and value.lstrip().startswith("=") and len(value.strip()) > 1
