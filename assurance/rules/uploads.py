"""Which evidence files are accepted (issue 3 §4): by content, never by name. Pure, no Django.

Allowed: PDF, DOCX, XLSX, ODT, PNG, JPEG. The first bytes decide the type; the
zip-based formats are told apart by what the zip holds (an Office Open XML package has
``[Content_Types].xml`` and a ``word/`` or ``xl/`` part; an OpenDocument text has a
``mimetype`` entry saying so).
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class FileType:
    name: str
    content_type: str
    extension: str


PDF = FileType("PDF", "application/pdf", ".pdf")
PNG = FileType("PNG", "image/png", ".png")
JPEG = FileType("JPEG", "image/jpeg", ".jpg")
DOCX = FileType(
    "Word document (DOCX)",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".docx",
)
XLSX = FileType(
    "Excel spreadsheet (XLSX)",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xlsx",
)
ODT = FileType("OpenDocument text (ODT)", "application/vnd.oasis.opendocument.text", ".odt")

ALLOWED_DESCRIPTION = "PDF, DOCX, XLSX, ODT, PNG or JPEG"


class UploadRejected(ValueError):
    """The file is not accepted; the message is for the person who uploaded it."""


def _zip_type(stream: BinaryIO) -> FileType | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODT_MIMETYPE:
                return ODT
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    return None


def detect_type(stream: BinaryIO) -> FileType | None:
    """The file's type from its content, or ``None`` if it is not one we accept."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    found: FileType | None = None
    if head.startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(stream)
    stream.seek(0)
    return found


# A PDF name token (``/Name``); ``#xx`` escapes spell any byte (``/J#61vaScript``).
_PDF_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){2,10})(?![A-Za-z#])")
_SCRIPT_NAMES = {b"JS", b"JavaScript"}


def pdf_has_javascript(stream: BinaryIO) -> bool:
    """True when the PDF names a ``/JS`` or ``/JavaScript`` action anywhere in its bytes.

    Evidence PDFs are board papers and plans; none needs scripts, so a PDF carrying
    them is refused rather than stored (docs/security.md). Scripts hidden inside
    compressed object streams are not seen here: downloads are attachments, sandboxed
    and never rendered inline, so such a file stays inert.
    """
    stream.seek(0)
    tail = b""
    found = False
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        data = tail + chunk
        for match in _PDF_NAME.finditer(data):
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1])
            if name in _SCRIPT_NAMES:
                found = True
                break
        if found:
            break
        tail = data[-40:]
    stream.seek(0)
    return found


def check_upload(stream: BinaryIO, size: int, max_bytes: int) -> FileType:
    """The accepted type of an uploaded file, or ``UploadRejected`` with a clear message."""
    if size == 0:
        raise UploadRejected("The selected file is empty")
    if size > max_bytes:
        raise UploadRejected(f"The selected file must be smaller than {_megabytes(max_bytes)}")
    found = detect_type(stream)
    if found is None:
        raise UploadRejected(f"The selected file must be a {ALLOWED_DESCRIPTION}")
    if found is PDF and pdf_has_javascript(stream):
        raise UploadRejected(
            "The selected PDF contains JavaScript. Save it again without scripts "
            "(for example, print it to PDF) and upload that copy"
        )
    return found


def sha256_of(stream: BinaryIO) -> str:
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
    stream.seek(0)
    return digest.hexdigest()


def _megabytes(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    if size >= 1024:
        return f"{size // 1024} KB"
    return f"{size} bytes"
