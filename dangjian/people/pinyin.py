"""Pinyin search keys for Chinese names ("zsf" finds 张三丰). pypinyin does the hard part.

Polyphonic characters are indexed under every reading (a few variants at most), so typing either
reading finds the person; surnames with a special reading (曾 zeng, 单 shan, 解 xie…) come first.
"""

from __future__ import annotations

import functools
import itertools

from pypinyin import Style, pinyin

_MAX_VARIANTS = 8
# Surname readings that differ from the character's most common reading.
_SURNAME = {"曾": "zeng", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou", "朴": "piao", "查": "zha",
            "盖": "ge", "缪": "miao", "覃": "qin", "尉": "yu", "乐": "yue", "员": "yun", "种": "chong",
            "秘": "bi", "长": "zhang", "沈": "shen", "石": "shi", "重": "chong", "翟": "zhai", "折": "she"}


@functools.lru_cache(maxsize=20000)
def _readings(char: str) -> tuple[str, ...]:
    got = pinyin(char, style=Style.NORMAL, heteronym=True, errors=lambda x: [c.lower() for c in x])
    return tuple(dict.fromkeys(got[0])) if got and got[0] else (char.lower(),)


@functools.lru_cache(maxsize=200000)
def name_keys(name: str) -> tuple[str, str]:
    """(initials, full pinyin) search keys, space-separated variants, e.g. ("zsf", "zhangsanfeng")."""
    name = (name or "").strip()
    if not name:
        return "", ""
    per_char = [_readings(ch) for ch in name]
    if name[0] in _SURNAME:
        first = _SURNAME[name[0]]
        per_char[0] = (first, *(r for r in per_char[0] if r != first))
    variants = list(itertools.islice(itertools.product(*per_char), _MAX_VARIANTS))
    initials = " ".join(dict.fromkeys("".join(r[0] for r in v) for v in variants))
    full = " ".join(dict.fromkeys("".join(v) for v in variants))
    return initials, full
