from django.urls import path

from assurance.views import self_assessment as views

app_name = "self_assessment"

PCT = "<str:cycle>/<str:pct>/"

urlpatterns = [
    path("", views.start, name="start"),
    path("evidence/<int:pk>/download/", views.document_download, name="evidence_download"),
    path("<str:cycle>/", views.assessment_list, name="list"),
    path(PCT, views.overview, name="overview"),
    path(PCT + "competencies/<int:number>/", views.competency, name="competency"),
    path(PCT + "governance/", views.governance, name="governance"),
    path(PCT + "outcomes/", views.outcomes, name="outcomes"),
    path(PCT + "outcomes/<int:pk>/", views.outcome_update, name="outcome_update"),
    path(PCT + "documents/", views.documents, name="documents"),
    path(PCT + "documents/<int:pk>/remove/", views.document_remove, name="document_remove"),
    path(PCT + "submit/", views.submit, name="submit"),
    path(PCT + "reopen/", views.reopen, name="reopen"),
    path(PCT + "history/", views.history, name="history"),
    path(PCT + "submitted/<int:pk>/", views.submitted_copy, name="submitted_copy"),
]
