"""What python-calamine does not tell about an Excel 97–2003 (.xls) sheet: which cells hold formulas and which
rows and columns are hidden. Read straight from the file: an OLE compound document whose "Workbook" stream is
a list of BIFF8 records ([MS-CFB], [MS-XLS]). Only the records needed are decoded:

    BOUNDSHEET (0x0085)  where each sheet's records start, and its name
    ROW        (0x0208)  a row's options; bit 0x20 (fDyZero) = hidden
    COLINFO    (0x007D)  a column range's options; bit 0x01 = hidden
    FORMULA    (0x0006)  a formula cell (row, column)

No Django here. The file has already been opened by calamine, so a structure this reader cannot follow is
answered with `None` (nothing detected), not an error.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF


@dataclass
class SheetFacts:
    formulas: set[tuple[int, int]] = field(default_factory=set)  # (row 1-based, column 0-based)
    hidden_rows: set[int] = field(default_factory=set)  # 1-based
    hidden_cols: set[int] = field(default_factory=set)  # 0-based


class _Broken(Exception):
    pass


def _chain(table: list[int], start: int, limit: int) -> list[int]:
    out, n = [], start
    while n not in (_END_OF_CHAIN, _FREE) and len(out) <= limit:
        if n >= len(table):
            raise _Broken
        out.append(n)
        n = table[n]
    if len(out) > limit:
        raise _Broken  # a loop in the chain
    return out


def _workbook_stream(data: bytes) -> bytes:
    if not data.startswith(_MAGIC) or len(data) < 512:
        raise _Broken
    shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    if not 7 <= shift <= 16 or mini_shift >= shift:
        raise _Broken
    size = 1 << shift
    n_sectors = (len(data) - size) // size + 1
    first_dir, = struct.unpack_from("<I", data, 0x30)
    cutoff, first_minifat, n_minifat, first_difat, n_difat = struct.unpack_from("<IIIII", data, 0x38)

    def sector(n: int) -> bytes:
        off = (n + 1) * size
        if off >= len(data):
            raise _Broken
        return data[off:off + size]

    difat = [x for x in struct.unpack_from("<109I", data, 0x4C) if x != _FREE]
    n = first_difat
    for _ in range(n_difat):
        if n in (_END_OF_CHAIN, _FREE):
            break
        block = sector(n)
        entries = struct.unpack(f"<{size // 4}I", block)
        difat += [x for x in entries[:-1] if x != _FREE]
        n = entries[-1]
    fat: list[int] = []
    for s in difat:
        fat += struct.unpack(f"<{size // 4}I", sector(s))

    def read(start: int, length: int | None = None) -> bytes:
        out = b"".join(sector(s) for s in _chain(fat, start, n_sectors))
        return out if length is None else out[:length]

    directory = read(first_dir)
    entries = []
    for off in range(0, len(directory) - 127, 128):
        name_len, kind = struct.unpack_from("<HB", directory, off + 64)
        name = directory[off:off + max(name_len - 2, 0)].decode("utf-16-le", "replace")
        start, length = struct.unpack_from("<II", directory, off + 116)
        entries.append((name, kind, start, length))
    if not entries:
        raise _Broken
    root = entries[0]
    stream = next((e for e in entries if e[1] == 2 and e[0] in ("Workbook", "Book")), None)
    if stream is None:
        raise _Broken
    _, _, start, length = stream
    if length >= cutoff:
        return read(start, length)
    # A small workbook lives in the mini stream (64-byte sectors inside the root entry's stream).
    mini_size = 1 << mini_shift
    ministream = read(root[2], root[3])
    minifat_bytes = b"".join(sector(s) for s in _chain(fat, first_minifat, n_sectors)) if n_minifat else b""
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    parts = [ministream[m * mini_size:(m + 1) * mini_size] for m in _chain(minifat, start, len(minifat))]
    return b"".join(parts)[:length]


def _records(stream: bytes, start: int = 0):
    pos, end = start, len(stream)
    while pos + 4 <= end:
        rtype, rlen = struct.unpack_from("<HH", stream, pos)
        yield rtype, stream[pos + 4:pos + 4 + rlen]
        pos += 4 + rlen


def _sheet_offsets(stream: bytes) -> list[tuple[str, int]]:
    out = []
    for rtype, body in _records(stream):
        if rtype == 0x0085 and len(body) >= 8:  # BOUNDSHEET8
            pos, = struct.unpack_from("<I", body, 0)
            cch, high = body[6], body[7] & 1
            raw = body[8:8 + cch * (2 if high else 1)]
            out.append((raw.decode("utf-16-le" if high else "latin-1", "replace"), pos))
        elif rtype == 0x000A:  # EOF of the workbook globals
            break
    return out


def sheet_facts(data: bytes, *, sheet_name: str, sheet_index: int) -> SheetFacts | None:
    """Formulas and hidden rows/columns of one sheet, or None when the file's structure is not followed."""
    try:
        stream = _workbook_stream(data)
        sheets = _sheet_offsets(stream)
        offset = next((pos for name, pos in sheets if name == sheet_name), None)
        if offset is None:
            if sheet_index >= len(sheets):
                return None
            offset = sheets[sheet_index][1]
        facts = SheetFacts()
        for rtype, body in _records(stream, offset):
            if rtype == 0x0006 and len(body) >= 4:  # FORMULA
                row, col = struct.unpack_from("<HH", body, 0)
                facts.formulas.add((row + 1, col))
            elif rtype == 0x0208 and len(body) >= 14:  # ROW
                row, = struct.unpack_from("<H", body, 0)
                options, = struct.unpack_from("<H", body, 12)
                if options & 0x20:
                    facts.hidden_rows.add(row + 1)
            elif rtype == 0x007D and len(body) >= 10:  # COLINFO
                first, last = struct.unpack_from("<HH", body, 0)
                options, = struct.unpack_from("<H", body, 8)
                if options & 0x01:
                    facts.hidden_cols.update(range(first, min(last, 16383) + 1))
            elif rtype == 0x000A:  # EOF of this sheet
                break
        return facts
    except (_Broken, struct.error, IndexError, ValueError):
        return None
