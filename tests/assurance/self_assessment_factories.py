"""Test helpers for self-assessments: real files of each accepted type, filled assessments."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

from assurance import models as m
from assurance.queries import self_assessment as sa_queries
from assurance.services import self_assessment as sa

PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt_bytes() -> bytes:
    return zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}
    )


def upload(name: str = "plan.pdf", data: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def fill_ratings(user: m.User, assessment: m.SelfAssessment, count: int | None = None) -> None:
    """Rate ``count`` competencies (default all) at level 2 with evidence, through the service."""
    slots = sa_queries.rating_slots(assessment.cycle.framework)
    for slot in slots[:count]:
        sa.save_competency_rating(
            user,
            assessment,
            competency=slot.competency,
            criterion=slot.criterion,
            level=2,
            evidence=f"Evidence for {slot.rule.label}",
            version=0,
        )


def upload_key_documents(user: m.User, assessment: m.SelfAssessment) -> None:
    for kind in m.KEY_DOCUMENT_KINDS:
        sa.upload_evidence(user, assessment, kind=kind, upload=upload(f"{kind}.pdf"))


def ready_to_submit(user: m.User, assessment: m.SelfAssessment) -> m.SelfAssessment:
    fill_ratings(user, assessment)
    upload_key_documents(user, assessment)
    return assessment
