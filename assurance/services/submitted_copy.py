"""The PDF of a submitted self-assessment, kept with it (issue 14).

Submitting records a :class:`SubmittedCopy` in the submission's transaction
(``services/self_assessment.py``); after the commit the task ``render_submitted_copy``
renders the PDF here, from what was submitted. Rendering is idempotent
(a copy already rendered is left alone) and refuses to render a copy whose self-assessment
has since been reopened: the PDF must show what the board signed, or nothing.
"""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from assurance.models import SelfAssessmentStatus, SubmittedCopy
from assurance.services import pdf


def render_copy(copy_id: int) -> bool:
    """Render one copy's PDF; True if this call rendered it. Safe to run twice."""
    with transaction.atomic():
        copy = (
            SubmittedCopy.objects.select_for_update(of=("self",))
            .select_related("self_assessment__pct", "self_assessment__cycle__framework")
            .filter(pk=copy_id)
            .first()
        )
        if copy is None or copy.rendered_at or copy.error:
            return False
        assessment = copy.self_assessment
        if (
            assessment.status != SelfAssessmentStatus.SUBMITTED
            or assessment.submitted_at != copy.submitted_at
        ):
            copy.error = "The self-assessment was reopened before its copy was made."
            copy.save(update_fields=["error"])
            return False
        content = pdf.self_assessment_pdf(assessment, copy)
        copy.file.save(f"{assessment.pct.code}.pdf", ContentFile(content), save=False)
        copy.sha256 = hashlib.sha256(content).hexdigest()
        copy.rendered_at = timezone.now()
        copy.save(update_fields=["file", "sha256", "rendered_at"])
        return True
