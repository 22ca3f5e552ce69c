"""The type of a scan comes from its bytes: table-driven, no database."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dangjian.archives import filetypes, samples

PDF = samples.pdf_bytes("ok")
PNG = samples.png_bytes()
JPEG = samples.jpeg_bytes()


@pytest.mark.parametrize("data, kind", [(PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg")])
def test_valid_scans_are_recognized_by_their_content(data, kind):
    assert filetypes.detect(data) == kind


@pytest.mark.parametrize("data, words", [
    (b"MZ\x90\x00\x03" + b"\x00" * 200, "Windows 可执行程序"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 200, "Linux 可执行程序"),
    (b"#!/bin/sh\nrm -rf /\n", "脚本"),
    (b"PK\x03\x04" + b"\x00" * 100, "压缩包"),
    (b"GIF89a\x01\x00\x01\x00", "只能上传 PDF、JPG 或 PNG"),
    (b"<html><script>alert(1)</script></html>", "只能上传 PDF、JPG 或 PNG"),
    (b"", "文件是空的"),
    (PDF[:-40], "PDF 文件不完整"),
    (PDF[:200], "PDF 文件不完整"),
    (PNG[:-30], "PNG 图片已损坏或不完整"),
    (JPEG[: len(JPEG) // 2], "JPG 图片已损坏或不完整"),
    (samples.png_bytes()[:8] + b"\x00" * 64, "PNG 图片已损坏或不完整"),
])
def test_anything_else_is_refused_with_a_chinese_message_naming_the_field(data, words):
    with pytest.raises(ValidationError) as exc:
        filetypes.detect(data)
    message = exc.value.message_dict["file"][0]
    assert message.startswith("扫描件：")
    assert words in message


def test_a_pdf_header_inside_an_executable_does_not_make_it_a_pdf():
    with pytest.raises(ValidationError):
        filetypes.detect(b"MZ" + PDF)
