"""Hostile evidence uploads through the real page (issue 7, docs/security.md).

Each is refused with a message next to the file field and nothing is stored, or — the
path-traversal name — stored under a random name inside MEDIA_ROOT and only ever served
as a sandboxed attachment.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assurance.models import AuditEntry, EvidenceDocument, SelfAssessment
from assurance.rules.uploads import UploadRejected, check_upload, pdf_has_javascript
from tests.assurance.self_assessment_factories import PDF_BYTES

pytestmark = pytest.mark.django_db

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 120
JS_PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
    b"2 0 obj << /S /JavaScript /JS (app.alert('hi')) >> endobj\ntrailer <<>>\n%%EOF\n"
)


@pytest.fixture
def documents_url(cycle, camden):
    SelfAssessment.objects.create(cycle=cycle, pct=camden)
    return reverse("self_assessment:documents", args=["2009-10", camden.code])


def post_file(client, url, name, data):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(url, {"kind": "strategic_plan", "file": upload})


def field_error(response) -> str:
    html = response.content.decode()
    match = re.search(r'id="id_file-error"[^>]*>(.*?)</', html, re.S)
    assert "There is a problem" in html
    assert match, "no error next to the file field"
    return html[match.start() : match.start() + 400]


@pytest.mark.parametrize(("name", "data"), [("plan.pdf", ELF), ("board-paper.pdf", MZ)])
def test_it_refuses_an_executable_renamed_as_a_pdf(client, alice, documents_url, name, data):
    client.force_login(alice)
    response = post_file(client, documents_url, name, data)
    assert response.status_code == 400
    assert "must be a PDF, DOCX, XLSX, ODT, PNG or JPEG" in field_error(response)
    assert not EvidenceDocument.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="evidence").exists()


def test_it_refuses_a_file_over_the_limit(client, alice, documents_url, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    client.force_login(alice)
    response = post_file(client, documents_url, "plan.pdf", PDF_BYTES + b"%" * 2048)
    assert response.status_code == 400
    assert "must be smaller than 1 KB" in field_error(response)
    assert not EvidenceDocument.objects.exists()


def test_it_refuses_a_pdf_with_javascript(client, alice, documents_url):
    client.force_login(alice)
    response = post_file(client, documents_url, "plan.pdf", JS_PDF)
    assert response.status_code == 400
    assert "contains JavaScript" in field_error(response)
    assert not EvidenceDocument.objects.exists()


def test_a_path_traversal_name_is_stored_inside_media_under_a_random_name(
    client, alice, documents_url
):
    client.force_login(alice)
    response = post_file(client, documents_url, "../../etc/passwd.pdf", PDF_BYTES)
    assert response.status_code == 302
    document = EvidenceDocument.objects.get()
    assert "/" not in document.original_name and ".." not in document.original_name
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "passwd" not in document.file.name and ".." not in document.file.name
    assert not Path("/etc/passwd.pdf").exists()
    download = client.get(reverse("self_assessment:evidence_download", args=[document.pk]))
    disposition = download["Content-Disposition"]
    assert disposition.startswith("attachment;") and "/" not in disposition
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"].startswith("sandbox")
    assert b"".join(download.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    "data",
    [
        JS_PDF,
        b"%PDF-1.7\n<< /AA << /O << /S /J#61vaScript /J#53 (x) >> >> >>\n",
        b"%PDF-1.7\n<</Names<</JavaScript 3 0 R>>>>\n",
    ],
)
def test_it_finds_javascript_even_when_the_name_is_escaped(data):
    assert pdf_has_javascript(io.BytesIO(data))
    with pytest.raises(UploadRejected, match="contains JavaScript"):
        check_upload(io.BytesIO(data), len(data), 1 << 20)


@pytest.mark.parametrize(
    "data",
    [PDF_BYTES, b"%PDF-1.4\n<< /JSON (not a script) /JBIG2Decode /Title (JavaScript) >>\n"],
)
def test_it_accepts_pdfs_without_script_actions(data):
    assert not pdf_has_javascript(io.BytesIO(data))


def test_it_finds_a_script_name_across_a_chunk_boundary():
    data = b"%PDF-1.4\n" + b"%" * ((1 << 20) - 12) + b"<< /S /JavaScript >>"
    assert pdf_has_javascript(io.BytesIO(data))


# --- Issue 13: zip bombs, macros, /Launch, download names


def test_it_refuses_a_zip_bomb_with_a_clear_message(client, alice, documents_url):
    from tests.assurance.rules.test_uploads import zip_bomb

    client.force_login(alice)
    response = post_file(client, documents_url, "plan.odt", zip_bomb({"mimetype": 64 << 20}))
    assert response.status_code == 400
    assert "would expand to an unreasonable size" in field_error(response)
    assert not EvidenceDocument.objects.exists()


def test_it_refuses_a_word_document_with_macros(client, alice, documents_url):
    from tests.assurance.self_assessment_factories import zip_bytes

    docm = zip_bytes(
        {
            "[Content_Types].xml": b"<Types/>",
            "word/document.xml": b"<w:document/>",
            "word/vbaProject.bin": b"\xd0\xcf\x11\xe0",
        }
    )
    client.force_login(alice)
    response = post_file(client, documents_url, "plan.docx", docm)
    assert response.status_code == 400
    assert "contains macros" in field_error(response)
    assert not EvidenceDocument.objects.exists()


def test_it_refuses_a_pdf_that_launches_a_program(client, alice, documents_url):
    data = b"%PDF-1.4\n1 0 obj << /OpenAction << /S /Launch /F (cmd.exe) >> >> endobj\n%%EOF\n"
    client.force_login(alice)
    response = post_file(client, documents_url, "plan.pdf", data)
    assert response.status_code == 400
    assert "starts a program" in field_error(response)


@pytest.mark.parametrize("name", ["minutes.hta", "minutes.html", "minutes"])
def test_a_pdf_html_polyglot_downloads_as_a_pdf(client, alice, documents_url, name):
    polyglot = PDF_BYTES + b"<html><script>alert(document.domain)</script></html>"
    client.force_login(alice)
    assert post_file(client, documents_url, name, polyglot).status_code == 302
    document = EvidenceDocument.objects.get()
    assert document.original_name == name
    download = client.get(reverse("self_assessment:evidence_download", args=[document.pk]))
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="minutes.pdf"'
