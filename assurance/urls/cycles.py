from django.urls import path

from assurance.views import cycles as views

app_name = "cycles"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_create, name="create"),
    path("<str:cycle>/", views.cycle_detail, name="detail"),
    path("<str:cycle>/start-next/", views.start_next, name="start_next"),
    path("<str:cycle>/settings/", views.rule_settings, name="settings"),
    path("<str:cycle>/phases/<int:kind>/<str:action>/", views.phase_change, name="phase_change"),
]
