"""What an uploaded scan really is, from its bytes: PDF, JPEG or PNG, or refused with a Chinese message.

Never from the file name or the browser's content type. PDF: the "%PDF-" header, a "startxref" and the
"%%EOF" trailer near the end (a truncated download has no trailer). Images: the magic bytes, then Pillow
opens, verifies and fully decodes them (a truncated or corrupt image fails), with a pixel limit against
decompression bombs."""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from PIL import Image

MAX_PIXELS = 80_000_000  # an A3 page at 600 dpi is ~70 MP
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
# Executables and archives users rename most often: named in the message, so the user knows why.
EXECUTABLE_MAGIC = ((b"MZ", "Windows 可执行程序"), (b"\x7fELF", "Linux 可执行程序"), (b"#!", "脚本"),
                    (b"\xcf\xfa\xed\xfe", "macOS 可执行程序"), (b"PK\x03\x04", "压缩包或 Office 文档"),
                    (b"Rar!", "压缩包"), (b"7z\xbc\xaf", "压缩包"))
FIELD = "file"


def _refuse(message: str) -> ValidationError:
    return ValidationError({FIELD: [f"扫描件：{message}"]})


def detect(data: bytes) -> str:
    """Return "pdf", "jpeg" or "png" for valid content; raise ValidationError (field "file") otherwise."""
    if not data:
        raise _refuse("文件是空的")
    for magic, what in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            raise _refuse(f"文件内容是{what}，不是扫描件。只能上传 PDF、JPG 或 PNG 文件")
    if data.startswith(b"%PDF-"):
        tail = data[-2048:]
        if b"%%EOF" not in tail or b"startxref" not in data[-4096:]:
            raise _refuse("PDF 文件不完整（缺少文件结尾），可能没有下载或扫描完整，请重新扫描后上传")
        return "pdf"
    if data.startswith(PNG_MAGIC):
        return _check_image(data, "PNG", "png")
    if data.startswith(JPEG_MAGIC):
        return _check_image(data, "JPEG", "jpeg")
    raise _refuse("文件类型不对，只能上传 PDF、JPG 或 PNG 文件（按文件内容判断，与文件名无关）")


def _check_image(data: bytes, fmt: str, kind: str) -> str:
    label = "JPG" if kind == "jpeg" else "PNG"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format != fmt:
                    raise _refuse(f"{label} 图片格式不正确")
                w, h = img.size
                if w * h > MAX_PIXELS:
                    raise _refuse(f"图片过大（{w}×{h} 像素）")
                img.verify()
            with Image.open(io.BytesIO(data)) as img:
                img.load()  # verify() does not decode: a truncated image fails only here
    except ValidationError:
        raise
    except Exception as exc:  # noqa: BLE001 — any decoder error means the image cannot be read
        raise _refuse(f"{label} 图片已损坏或不完整，无法打开，请重新拍照或扫描") from exc
    return kind
