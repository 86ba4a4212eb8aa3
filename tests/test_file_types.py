"""Telling a file's type from its bytes (server/services/file_types.py), including the malformed and the
misleading: truncated compound files, ZIP headers with no archive behind them, large-sector Office files."""

from __future__ import annotations

import io
import struct

from server.services import file_types
from tests.support import files


def kind(content: bytes):
    return file_types.detect(io.BytesIO(content))


def test_known_types_by_content():
    assert kind(files.PDF) is file_types.PDF
    assert kind(files.DOC) is file_types.DOC and kind(files.XLS) is file_types.XLS
    assert kind(files.DOCX) is file_types.DOCX and kind(files.XLSX) is file_types.XLSX
    assert kind(files.ZIP) is file_types.ZIP and kind(files.zip_bomb()) is file_types.ZIP
    assert kind(files.JPEG) is file_types.JPEG and kind(files.PNG) is file_types.PNG


def test_what_only_looks_like_an_allowed_type_is_refused():
    for content in (files.EXE, files.HTML, files.MSI, b"", b"%PD", b"PK\x03\x04", b"PK\x03\x04" + b"\x00" * 100,
                    files.DOC[:300], files.DOC[:600], b" %PDF-1.4", b"GIF89a"):
        assert kind(content) is None, content[:16]


def test_a_compound_file_with_4096_byte_sectors():
    header = bytearray(files.DOC[:512])
    struct.pack_into("<H", header, 30, 12)
    directory = files.DOC[512:1024] + b"\x00" * (4096 - 512)
    assert kind(bytes(header) + b"\x00" * (4096 - 512) + directory) is file_types.DOC
    struct.pack_into("<H", header, 30, 20)  # no such sector size
    assert kind(bytes(header) + directory) is None


def test_an_office_zip_names_its_own_parts():
    word_without_types = files.zip_of({"word/document.xml": b"<w/>"})
    assert kind(word_without_types) is file_types.ZIP
    assert file_types.extension("报告.PDF") == "pdf" and file_types.extension(".pdf") == ""
