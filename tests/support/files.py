"""Small real files of each allowed type (and some hostile ones) for the attachment tests."""

from __future__ import annotations

import io
import struct
import zipfile
from functools import cache

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 17
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32 + b"\xff\xd9"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64 + b"This program cannot be run in DOS mode"
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def zip_of(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCX = zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
XLSX = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})
ZIP = zip_of({"readme.txt": "说明".encode()})


def ole2(stream_name: str) -> bytes:
    """A minimal compound file (512-byte sectors) whose directory holds the root and one named stream."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHH", header, 24, 0x3E, 3, 0xFFFE)
    struct.pack_into("<H", header, 30, 9)  # 512-byte sectors
    struct.pack_into("<I", header, 48, 0)  # the directory starts at sector 0
    directory = bytearray(512)
    for index, name in enumerate(("Root Entry", stream_name)):
        raw = name.encode("utf-16-le")
        directory[index * 128:index * 128 + len(raw)] = raw
        struct.pack_into("<H", directory, index * 128 + 64, len(raw) + 2)
    return bytes(header + directory)


DOC = ole2("WordDocument")
XLS = ole2("Workbook")
MSI = ole2("SummaryInformation")


@cache
def zip_bomb(unpacked: int = 64 * 1024 * 1024) -> bytes:
    """A small archive that would unpack to `unpacked` bytes of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("zeros.bin", "w", force_zip64=True) as member:
        chunk = b"\x00" * (1 << 20)
        for _ in range(unpacked >> 20):
            member.write(chunk)
    return out.getvalue()
