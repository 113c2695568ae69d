import contextlib
import io
import tracemalloc
import zipfile

import pytest

from assurance.rules import uploads
from assurance.rules.uploads import (
    DOCX,
    JPEG,
    ODT,
    ODT_MIMETYPE,
    PDF,
    PNG,
    XLSX,
    UploadRejected,
    check_upload,
    detect_type,
    download_name,
    pdf_has_launch_action,
    sha256_of,
)
from tests.assurance.self_assessment_factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    docx_bytes,
    odt_bytes,
    xlsx_bytes,
    zip_bytes,
)

MB = 1024 * 1024


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PDF_BYTES, PDF),
        (PNG_BYTES, PNG),
        (JPEG_BYTES, JPEG),
        (docx_bytes(), DOCX),
        (xlsx_bytes(), XLSX),
        (odt_bytes(), ODT),
    ],
)
def test_it_recognises_each_allowed_type_by_content(data, expected):
    assert check_upload(io.BytesIO(data), len(data), 20 * MB) == expected


def test_it_rejects_an_executable_named_like_a_pdf():
    data = b"MZ\x90\x00" + b"\x00" * 60
    with pytest.raises(UploadRejected, match="must be a PDF, DOCX, XLSX, ODT, PNG or JPEG"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


def test_it_rejects_a_plain_zip():
    data = zip_bytes({"readme.txt": b"hello"})
    assert detect_type(io.BytesIO(data)) is None


def test_it_rejects_a_zip_claiming_office_without_a_word_or_xl_part():
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "ppt/slide.xml": b"<x/>"})
    assert detect_type(io.BytesIO(data)) is None


def test_it_rejects_an_opendocument_spreadsheet():
    data = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    assert detect_type(io.BytesIO(data)) is None


def test_it_rejects_a_truncated_zip():
    data = docx_bytes()[:30]
    assert detect_type(io.BytesIO(data)) is None


def test_it_rejects_a_file_over_the_limit_with_the_limit_in_the_message():
    with pytest.raises(UploadRejected, match="smaller than 20 MB"):
        check_upload(io.BytesIO(PDF_BYTES), 20 * MB + 1, 20 * MB)


def test_it_accepts_a_file_exactly_at_the_limit():
    assert check_upload(io.BytesIO(PDF_BYTES), 20 * MB, 20 * MB) == PDF


def test_it_rejects_an_empty_file():
    with pytest.raises(UploadRejected, match="empty"):
        check_upload(io.BytesIO(b""), 0, 20 * MB)


def test_it_hashes_the_whole_file_and_rewinds():
    stream = io.BytesIO(b"abc")
    assert sha256_of(stream) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert stream.tell() == 0


# --- Issue 13: zip bombs, macros, /Launch, download names


def zip_bomb(entries: dict[str, int], extra: dict[str, bytes] | None = None) -> bytes:
    """A small zip whose entries inflate to ``entries[name]`` zero bytes each, written in
    chunks so the test itself never holds the inflated data."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
        chunk = b"\0" * MB
        for name, size in entries.items():
            with archive.open(name, "w", force_zip64=True) as entry:
                for _ in range(size // MB):
                    entry.write(chunk)
    return buffer.getvalue()


def peak_memory_of(call) -> int:
    tracemalloc.start()
    try:
        with contextlib.suppress(UploadRejected):
            call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_it_refuses_a_zip_bomb_without_inflating_it():
    # An ODT-shaped bomb: the ``mimetype`` entry inflates to 64 MB from about 64 KB.
    data = zip_bomb({"mimetype": 64 * MB})
    assert len(data) < 200 * 1024
    with pytest.raises(UploadRejected, match="expand to an unreasonable size"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)
    assert peak_memory_of(lambda: check_upload(io.BytesIO(data), len(data), 20 * MB)) < 4 * MB


def test_it_refuses_a_docx_whose_parts_declare_an_absurd_ratio():
    data = zip_bomb(
        {"word/document.xml": 8 * MB},
        extra={"[Content_Types].xml": b"<Types/>"},
    )
    with pytest.raises(UploadRejected, match="expand to an unreasonable size"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


def test_it_refuses_a_zip_declaring_more_than_the_uncompressed_limit(monkeypatch):
    monkeypatch.setattr(uploads, "ZIP_MAX_UNCOMPRESSED", 1 * MB)
    monkeypatch.setattr(uploads, "ZIP_MAX_RATIO", 10_000)
    data = zip_bomb({"word/document.xml": 2 * MB}, extra={"[Content_Types].xml": b"<Types/>"})
    with pytest.raises(UploadRejected, match="expand to an unreasonable size"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


def test_it_accepts_an_ordinary_compressible_docx():
    text = b"".join(
        b"<w:p><w:r><w:t>Paragraph %d of the plan.</w:t></w:r></w:p>" % i for i in range(40_000)
    )
    data = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": text})
    assert check_upload(io.BytesIO(data), len(data), 20 * MB) == DOCX


@pytest.mark.parametrize(
    "entries",
    [
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<x/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        },
        {
            "[Content_Types].xml": b"<Types/>",
            "xl/workbook.xml": b"<x/>",
            "xl/VBAPROJECT.BIN": b"\xd0\xcf\x11\xe0",
        },
        {
            "[Content_Types].xml": b'<Types><Override PartName="/word/document.xml" ContentType='
            b'"application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
            "word/document.xml": b"<x/>",
        },
        {"mimetype": ODT_MIMETYPE, "content.xml": b"<x/>", "Basic/Standard/Module1.xml": b"x"},
    ],
    ids=["docm", "xlsm", "macro-content-type", "odt-basic"],
)
def test_it_refuses_office_files_with_macros(entries):
    data = zip_bytes(entries)
    with pytest.raises(UploadRejected, match="contains macros"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF\n",
        b"%PDF-1.4\n<< /AA << /O << /S /L#61unch /Win << /F (calc) >> >> >> >>\n%%EOF\n",
    ],
)
def test_it_refuses_a_pdf_with_a_launch_action(data):
    assert pdf_has_launch_action(io.BytesIO(data))
    with pytest.raises(UploadRejected, match="starts a program"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


def test_it_still_refuses_a_pdf_with_javascript():
    data = b"%PDF-1.4\n<< /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>\n%%EOF\n"
    with pytest.raises(UploadRejected, match="contains JavaScript"):
        check_upload(io.BytesIO(data), len(data), 20 * MB)


@pytest.mark.parametrize(
    ("original", "content_type", "expected"),
    [
        ("minutes.hta", PDF.content_type, "minutes.pdf"),
        ("minutes.html", PDF.content_type, "minutes.pdf"),
        ("plan.docm", DOCX.content_type, "plan.docx"),
        ("C:\\Users\\x\\board paper.pdf", PDF.content_type, "board paper.pdf"),
        ("../../etc/passwd", PNG.content_type, "passwd.png"),
        (".htaccess", JPEG.content_type, "htaccess.jpg"),
        ('a"; filename=evil.exe', XLSX.content_type, "a_ filename_evil.xlsx"),
        ("", ODT.content_type, "evidence.odt"),
        ("Plan für 2009–10.pdf", PDF.content_type, "Plan für 2009_10.pdf"),
        ("report.pdf", "text/html", "report.bin"),
    ],
)
def test_downloads_take_the_extension_of_the_detected_type(original, content_type, expected):
    assert download_name(original, content_type) == expected
