"""PDFs of a publication, rendered with WeasyPrint from templates in ``templates/assurance/pdf/``.

Static files (the stylesheet) are read from disk through :class:`StaticFileFetcher`, which
maps ``STATIC_URL`` to files; the renderer never makes an HTTP request, to the site or
anywhere else. Documents are tagged PDF/UA-1 (WeasyPrint's ``pdf_variant``), A4, with
page numbers and extractable text.
"""

from __future__ import annotations

import mimetypes
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from assurance.models import PCT, Publication, SelfAssessment, SubmittedCopy
from assurance.queries import publications as league
from assurance.queries.self_assessment import answer_rows, build_overview, declaration_rows

#: Relative URLs in PDF templates resolve against this made-up origin; the fetcher maps
#: its STATIC_URL paths to files and refuses everything else.
BASE_URL = "https://wcc-assurance.invalid/"
PDF_VARIANT = "pdf/ua-1"


class StaticFileFetcher(URLFetcher):
    """Serve ``STATIC_URL`` paths from the static files on disk; refuse any other URL."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = unquote(urlsplit(url).path)
        if not path.startswith(settings.STATIC_URL):
            raise ValueError(f"PDFs load only static files, not {url}")
        relative = path[len(settings.STATIC_URL) :]
        found = finders.find(relative)
        if not found:
            candidate = Path(settings.STATIC_ROOT) / relative
            found = str(candidate) if candidate.is_file() else None
        if not found or ".." in Path(relative).parts:
            raise FileNotFoundError(f"no static file {relative}")
        content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
        )


@cache
def _fonts() -> FontConfiguration:
    return FontConfiguration()


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    html = render_to_string(template, context)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFileFetcher())
    return bytes(
        document.write_pdf(
            pdf_variant=PDF_VARIANT,
            font_config=_fonts(),
            stylesheets=[_print_css()],
        )
    )


@cache
def _print_css() -> CSS:
    return CSS(
        string="@page { size: A4; }",
        font_config=_fonts(),
        url_fetcher=StaticFileFetcher(),
    )


def league_table_context(publication: Publication) -> dict[str, Any]:
    comps = league.competencies(publication)
    rows = league.present(league.league_rows(publication), [c.number for c in comps])
    return {
        "publication": publication,
        "cycle": publication.cycle,
        "competencies": comps,
        "rows": rows,
        "settings": publication.rule_settings,
        "published_on": publication.computed_at or publication.created_at,
    }


def league_table_html(publication: Publication) -> str:
    return render_to_string("assurance/pdf/league_table.html", league_table_context(publication))


def league_table_pdf(publication: Publication) -> bytes:
    return render_pdf("assurance/pdf/league_table.html", league_table_context(publication))


def pct_report_context(publication: Publication, pct: PCT) -> dict[str, Any]:
    result = (
        publication.results.select_related("pct", "sha", "publication__cycle").filter(pct=pct).get()
    )
    return {
        **league.report_context(publication, result),
        "published_on": publication.computed_at or publication.created_at,
    }


def pct_report_html(publication: Publication, pct: PCT) -> str:
    return render_to_string("assurance/pdf/pct_report.html", pct_report_context(publication, pct))


def pct_report_pdf(publication: Publication, pct: PCT) -> bytes:
    return render_pdf("assurance/pdf/pct_report.html", pct_report_context(publication, pct))


def self_assessment_pdf(assessment: SelfAssessment, copy: SubmittedCopy) -> bytes:
    """The self-assessment as submitted: every answer, the documents, the board's sign-off."""
    overview = build_overview(assessment)
    return render_pdf(
        "assurance/pdf/self_assessment.html",
        {
            "assessment": assessment,
            "o": overview,
            "answers": answer_rows(overview),
            "declarations": declaration_rows(overview),
            "copy": copy,
            "published_on": copy.submitted_at,
        },
    )
