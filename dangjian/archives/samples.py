"""Tiny valid scans made in code (demo data and tests): a one-page PDF, a PNG and a JPEG."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def pdf_bytes(title: str = "scan") -> bytes:
    """A one-page PDF with a correct cross-reference table (ASCII title only: Helvetica has no CJK glyphs)."""
    text = "".join(c for c in title if 32 <= ord(c) < 127).replace("(", "").replace(")", "") or "scan"
    stream = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for off in offsets:
        out.write(f"{off:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def _image(fmt: str, size: tuple[int, int]) -> bytes:
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.rectangle([4, 4, size[0] - 5, size[1] - 5], outline="black")
    for y in range(12, size[1] - 8, 8):
        draw.line([10, y, size[0] - 10, y], fill="gray")
    buf = io.BytesIO()
    img.save(buf, format=fmt)
    return buf.getvalue()


def png_bytes(size: tuple[int, int] = (60, 80)) -> bytes:
    return _image("PNG", size)


def jpeg_bytes(size: tuple[int, int] = (60, 80)) -> bytes:
    return _image("JPEG", size)
