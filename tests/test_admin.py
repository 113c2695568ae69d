"""The admin views the assurance year's records but never changes them (issue 13, finding 7).

Consensus, moderations, score sheets, publications, results, self-assessments, freedoms
records and the audit trail change only through the services, which audit each change;
an admin form would bypass both. People and reference data stay editable.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from assurance import models as m
from assurance.admin import VIEW_ONLY_MODELS
from freedoms import models as fm
from tests.assurance.panel_factories import bulk_assess, panel_cycle

pytestmark = pytest.mark.django_db

VIEW_ONLY = [
    *VIEW_ONLY_MODELS,
    m.AuditEntry,
    m.Cycle,
    fm.Grant,
    fm.Franchise,
    fm.SentNotification,
    fm.Standing,
    fm.Designation,
    fm.ReviewRecord,
    fm.BudgetProposal,
    fm.FundApplication,
    fm.Plan,
    fm.PlanAction,
]


@pytest.fixture
def superuser_request(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    return request


@pytest.mark.parametrize("model", VIEW_ONLY, ids=lambda model: model._meta.label)
def test_domain_records_are_view_only_even_for_a_superuser(model, superuser_request):
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(superuser_request)
    assert not model_admin.has_change_permission(superuser_request)
    assert not model_admin.has_delete_permission(superuser_request)
    assert model_admin.has_view_permission(superuser_request)
    assert "delete_selected" not in model_admin.get_actions(superuser_request)


def test_every_domain_model_is_in_the_view_only_list():
    for model in [m.Consensus, m.Moderation, m.ScoreSheet, m.PublishedResult, m.Publication]:
        assert model in VIEW_ONLY_MODELS


@pytest.mark.parametrize("model", [m.User, m.PCT, m.SHA, fm.InnovationFund])
def test_people_and_reference_data_stay_editable(model, superuser_request):
    model_admin = admin.site._registry[model]
    assert model_admin.has_add_permission(superuser_request)
    assert model_admin.has_change_permission(superuser_request)


def test_a_post_to_the_consensus_change_form_changes_nothing(admin_client, reference_data, camden):
    bulk_assess(panel_cycle(), [camden])
    consensus = m.Consensus.objects.filter(level__isnull=False).first()
    before = (consensus.level, consensus.rationale, consensus.moderated_level)
    url = f"/admin/assurance/consensus/{consensus.pk}/change/"
    assert admin_client.get(url).status_code == 200  # viewing still works
    response = admin_client.post(
        url, {"level": 4, "moderated_level": 4, "rationale": "Forged.", "_save": "Save"}
    )
    assert response.status_code == 403
    consensus.refresh_from_db()
    assert (consensus.level, consensus.rationale, consensus.moderated_level) == before
    assert not m.AuditEntry.objects.exists()


def test_a_post_cannot_forge_an_audit_entry(admin_client, reference_data, alice):
    response = admin_client.post(
        "/admin/assurance/auditentry/add/",
        {"actor": alice.pk, "action": "self_assessment.submitted", "label": "Forged"},
    )
    assert response.status_code == 403
    assert not m.AuditEntry.objects.exists()


def test_a_post_cannot_change_a_publications_status(admin_client, reference_data, dora):
    from assurance.services import publication as service
    from tests.assurance.publication_factories import give_results, publishing_cycle

    cycle = publishing_cycle()
    give_results(cycle, m.PCT.objects.get(code="5K7"), [3] * 11)
    publication, _ = service.start_publication(cycle, dora)
    status = publication.status
    url = f"/admin/assurance/publication/{publication.pk}/change/"
    response = admin_client.post(url, {"status": m.PublicationStatus.COMPLETE, "version": 1})
    assert response.status_code == 403
    publication.refresh_from_db()
    assert publication.status == status
    delete = admin_client.post(
        f"/admin/assurance/publication/{publication.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403
    assert m.Publication.objects.filter(pk=publication.pk).exists()


def test_the_user_admin_still_changes_people(admin_client, alice):
    url = f"/admin/assurance/user/{alice.pk}/change/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get("/admin/assurance/user/add/").status_code == 200
