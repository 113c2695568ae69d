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


# Zip-based formats (DOCX, XLSX, ODT) are read only within these bounds (issue 13, finding
# 3): a 306 KB zip bomb whose ``mimetype`` entry inflated to hundreds of megabytes took a
# web process from 91 MB to 675 MB. Real board papers are far inside them: Office XML
# compresses about 5-20 times, a nearly empty spreadsheet part at most a few hundred.
ZIP_MAX_ENTRIES = 10_000
ZIP_MAX_UNCOMPRESSED = 250 * 1024 * 1024
ZIP_MAX_RATIO = 200
# Ratios are only judged above this size: a tiny part always compresses "absurdly".
ZIP_RATIO_FLOOR = 1024 * 1024
# The most ever inflated from one entry (``mimetype``, ``[Content_Types].xml``).
ZIP_READ_CAP = 1024 * 1024

ZIP_BOMB_MESSAGE = (
    "The selected file would expand to an unreasonable size when opened. Save it again "
    "from Word, Excel or LibreOffice and upload that copy"
)
MACRO_MESSAGE = (
    "The selected file contains macros. Save it again as a Word document (.docx), Excel "
    "workbook (.xlsx) or OpenDocument text (.odt) without macros and upload that copy"
)
# Macro-enabled Office packages declare these in [Content_Types].xml (DOCM, XLSM, DOTM…).
_MACRO_CONTENT_TYPES = (b"macroenabled", b"vbaproject", b"ms-office.activex")
# OpenDocument keeps StarBasic and script macros in these folders.
_ODF_MACRO_FOLDERS = ("basic/", "scripts/")


def _read_capped(archive: zipfile.ZipFile, name: str, cap: int = ZIP_READ_CAP) -> bytes:
    """At most ``cap`` bytes of an entry: never inflate a whole entry into memory."""
    with archive.open(name) as entry:
        return entry.read(cap)


def _archive_refusal(archive: zipfile.ZipFile, size: int) -> str | None:
    """Why the archive is refused before anything in it is read, or ``None``.

    Judged from the sizes the archive declares (zipfile never inflates an entry past its
    declared size, so these bound what reading can cost).
    """
    infos = archive.infolist()
    if len(infos) > ZIP_MAX_ENTRIES:
        return ZIP_BOMB_MESSAGE
    total = sum(info.file_size for info in infos)
    if total > ZIP_MAX_UNCOMPRESSED:
        return ZIP_BOMB_MESSAGE
    if total > ZIP_RATIO_FLOOR and total > ZIP_MAX_RATIO * max(size, 1):
        return ZIP_BOMB_MESSAGE
    for info in infos:
        if info.file_size > ZIP_RATIO_FLOOR and info.file_size > ZIP_MAX_RATIO * max(
            info.compress_size, 1
        ):
            return ZIP_BOMB_MESSAGE
    return None


def _has_macros(archive: zipfile.ZipFile) -> bool:
    """VBA projects (``vbaProject.bin``), macro-enabled content types, ODF macro folders."""
    names = [n.lower() for n in archive.namelist()]
    if any("vbaproject" in n for n in names):
        return True
    if any(n.startswith(_ODF_MACRO_FOLDERS) for n in names):
        return True
    if "[content_types].xml" in names:
        real = next(n for n in archive.namelist() if n.lower() == "[content_types].xml")
        declared = _read_capped(archive, real).lower()
        if any(marker in declared for marker in _MACRO_CONTENT_TYPES):
            return True
    return False


def _zip_type(archive: zipfile.ZipFile) -> FileType | None:
    names = set(archive.namelist())
    if "mimetype" in names and _read_capped(archive, "mimetype", 200).strip() == ODT_MIMETYPE:
        return ODT
    if "[Content_Types].xml" in names:
        if any(n.startswith("word/") for n in names):
            return DOCX
        if any(n.startswith("xl/") for n in names):
            return XLSX
    return None


def _check_archive(stream: BinaryIO, size: int) -> FileType | None:
    """The zip format's type, ``None`` if not one we accept; ``UploadRejected`` for a zip
    bomb or a macro-bearing document."""
    try:
        with zipfile.ZipFile(stream) as archive:
            if refusal := _archive_refusal(archive, size):
                raise UploadRejected(refusal)
            found = _zip_type(archive)
            if found is not None and _has_macros(archive):
                raise UploadRejected(MACRO_MESSAGE)
            return found
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, NotImplementedError):
        return None
    finally:
        stream.seek(0)


def detect_type(stream: BinaryIO) -> FileType | None:
    """The file's type from its content, or ``None`` if it is not one we accept.

    Raises ``UploadRejected`` for a zip bomb or an Office file with macros."""
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
        stream.seek(0, 2)
        found = _check_archive(stream, stream.tell())
    stream.seek(0)
    return found


# A PDF name token (``/Name``); ``#xx`` escapes spell any byte (``/J#61vaScript``).
_PDF_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){2,10})(?![A-Za-z#])")
_SCRIPT_NAMES = {b"JS", b"JavaScript"}
_LAUNCH_NAMES = {b"Launch"}


def _pdf_names(stream: BinaryIO, wanted: set[bytes]) -> set[bytes]:
    """Which of ``wanted`` PDF names appear anywhere in the file's bytes (unescaped)."""
    stream.seek(0)
    tail = b""
    found: set[bytes] = set()
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        data = tail + chunk
        for match in _PDF_NAME.finditer(data):
            name = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), match[1])
            if name in wanted:
                found.add(name)
        if found == wanted:
            break
        tail = data[-40:]
    stream.seek(0)
    return found


def pdf_has_javascript(stream: BinaryIO) -> bool:
    """True when the PDF names a ``/JS`` or ``/JavaScript`` action anywhere in its bytes.

    Evidence PDFs are board papers and plans; none needs scripts, so a PDF carrying
    them is refused rather than stored (docs/security.md). Scripts hidden inside
    compressed object streams are not seen here: downloads are attachments, sandboxed
    and never rendered inline, so such a file stays inert.
    """
    return bool(_pdf_names(stream, _SCRIPT_NAMES))


def pdf_has_launch_action(stream: BinaryIO) -> bool:
    """True when the PDF names a ``/Launch`` action (runs a program or opens a file)."""
    return bool(_pdf_names(stream, _LAUNCH_NAMES))


def check_upload(stream: BinaryIO, size: int, max_bytes: int) -> FileType:
    """The accepted type of an uploaded file, or ``UploadRejected`` with a clear message.

    Refused as well as unknown types: zip bombs, Office files with macros, PDFs with
    JavaScript or ``/Launch`` actions.
    """
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
    if found is PDF and pdf_has_launch_action(stream):
        raise UploadRejected(
            "The selected PDF contains an action that starts a program. Save it again "
            "without it (for example, print it to PDF) and upload that copy"
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


_SAFE_NAME = re.compile(r"[^\w .()-]+")
_TYPES_BY_CONTENT_TYPE = {t.content_type: t for t in (PDF, PNG, JPEG, DOCX, XLSX, ODT)}


def download_name(original_name: str, content_type: str) -> str:
    """The name an evidence file is downloaded under: a safe base name from what the
    uploader called it, and the extension of the type its content was recognised as.

    The uploader's extension is never used (issue 13, finding 4): a PDF/HTML polyglot
    named ``minutes.hta`` downloads as ``minutes.pdf``.
    """
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    stem = _SAFE_NAME.sub("_", stem).strip(" ._")[:100] or "evidence"
    found = _TYPES_BY_CONTENT_TYPE.get(content_type)
    return stem + (found.extension if found else ".bin")
