from django.urls import path

from freedoms import views

app_name = "freedoms"

urlpatterns = [
    path("", views.my_freedoms, name="mine"),
    path("franchises/new/", views.franchise_propose, name="franchise_propose"),
    path("franchises/request/", views.franchise_request, name="franchise_request"),
    path("franchises/<int:pk>/", views.franchise_detail, name="franchise_detail"),
    path("franchises/<int:pk>/<slug:step>/", views.franchise_step, name="franchise_step"),
    path("budgets/new/", views.budget_new, name="budget_new"),
    path("budgets/<int:pk>/", views.budget_detail, name="budget_detail"),
    path("fund/apply/", views.fund_apply, name="fund_apply"),
    path("fund/", views.fund_queue, name="fund"),
    path("fund/applications/<int:pk>/decide/", views.fund_decide, name="fund_decide"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/actions/", views.plan_add_action, name="plan_add_action"),
    path("plans/<int:pk>/agree/", views.plan_agree, name="plan_agree"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
    path("reviews/", views.review_calendar, name="reviews"),
    path("reviews/<str:code>/", views.review_record, name="review_record"),
    path("approvals/", views.sha_approvals, name="approvals"),
    path("overview/", views.dh_overview, name="overview"),
    path("overview/<str:code>/grants/", views.grant_notes, name="grant_notes"),
    path("publications/<int:pk>/confirm/", views.publication_confirm, name="publication_confirm"),
]
