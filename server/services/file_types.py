"""What an uploaded file is, told from its bytes (magic numbers), never from its name or the client's word.

The allow-list: PDF, Word (.doc OLE2, .docx), Excel (.xls OLE2, .xlsx), JPEG, PNG and plain ZIP. OLE2 files are
told apart by the names in their first directory sector; ZIP-based Office files by the parts their central
directory lists. Nothing is ever decompressed, so a zip bomb costs no more than reading its directory.
"""

from __future__ import annotations

import struct
import zipfile
from dataclasses import dataclass
from typing import BinaryIO


@dataclass(frozen=True)
class FileKind:
    key: str
    content_type: str
    extensions: tuple[str, ...]  # the first is added to a name that has none of them
    label: str


PDF = FileKind("pdf", "application/pdf", ("pdf",), "PDF")
DOC = FileKind("doc", "application/msword", ("doc", "docx"), "Word")
DOCX = FileKind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ("docx", "doc"), "Word")
XLS = FileKind("xls", "application/vnd.ms-excel", ("xls", "xlsx"), "Excel")
XLSX = FileKind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx", "xls"),
                "Excel")
JPEG = FileKind("jpeg", "image/jpeg", ("jpg", "jpeg"), "JPEG")
PNG = FileKind("png", "image/png", ("png",), "PNG")
ZIP = FileKind("zip", "application/zip", ("zip",), "ZIP")
KINDS = (PDF, DOC, DOCX, XLS, XLSX, JPEG, PNG, ZIP)
ALLOWED_EXTENSIONS = frozenset(ext for kind in KINDS for ext in kind.extensions)

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAX_ZIP_ENTRIES = 20_000  # an Office file has dozens of parts; more is not a document we need to look into


def detect(stream: BinaryIO) -> FileKind | None:
    """The kind of the file (read from its start, and for ZIP its central directory), or None if not allowed."""
    stream.seek(0)
    head = stream.read(16)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(_OLE2):
        return _ole2_kind(stream)
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(stream)
    return None


def _ole2_kind(stream: BinaryIO) -> FileKind | None:
    """Word and Excel 97–2003 files: a compound file whose directory names a WordDocument or Workbook stream."""
    stream.seek(0)
    header = stream.read(512)
    if len(header) < 512:
        return None
    shift = struct.unpack_from("<H", header, 30)[0]
    if shift not in (9, 12):
        return None
    sector_size = 1 << shift
    first_dir = struct.unpack_from("<I", header, 48)[0]
    if first_dir >= 0xFFFFFFFA:
        return None
    stream.seek((first_dir + 1) * sector_size)
    sector = stream.read(sector_size)
    names = set()
    for offset in range(0, len(sector) - 127, 128):
        length = struct.unpack_from("<H", sector, offset + 64)[0]
        if 2 <= length <= 64:
            names.add(sector[offset:offset + length - 2].decode("utf-16-le", "replace"))
    if "WordDocument" in names:
        return DOC
    if names & {"Workbook", "Book"}:
        return XLS
    return None  # PowerPoint, MSI, Outlook messages… are not on the list


def _zip_kind(stream: BinaryIO) -> FileKind | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:  # reads the central directory only
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    if len(infos) > _MAX_ZIP_ENTRIES:
        return ZIP
    names = {info.filename for info in infos}
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    return ZIP


def extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name.strip(".") else ""
