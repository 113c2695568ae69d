from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from assurance.api import docs as api_docs
from assurance.api import v1 as api_v1
from assurance.views import home
from wcc import accounts

urlpatterns = [
    path("", home.home, name="home"),
    # The open data API (issue 16): its documentation page, then the API itself. Early in
    # the list: a machine asks for these many times a second, and resolving walks the list.
    path("api/v1/", RedirectView.as_view(pattern_name="api-docs"), name="api-index"),
    path("api/v1/docs/", api_docs.docs, name="api-docs"),
    path("api/v1/", api_v1.urls()),
    path("accounts/login/", accounts.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(form_class=accounts.NHSPasswordChangeForm),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(form_class=accounts.NHSPasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=accounts.NHSSetPasswordForm),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("registry/", include("assurance.urls.registry")),
    path("panels/", include("assurance.urls.panels")),
    path("freedoms/", include("freedoms.urls")),
    path("results/", include("assurance.urls.publications")),
    path("insight/", include("assurance.urls.insight")),
    path("self-assessment/", include("assurance.urls.self_assessment")),
    path("cycles/", include("assurance.urls.cycles")),
    path("account/api-tokens/", include("assurance.urls.api_tokens")),
    path("due-process/", include("assurance.urls.due_process")),
    path("notifications/", include("assurance.urls.notifications")),
    path("", include("assurance.urls.account")),
    path("admin/", admin.site.urls),
]
