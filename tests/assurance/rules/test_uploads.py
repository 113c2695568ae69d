import io

import pytest

from assurance.rules.uploads import (
    DOCX,
    JPEG,
    ODT,
    PDF,
    PNG,
    XLSX,
    UploadRejected,
    check_upload,
    detect_type,
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
