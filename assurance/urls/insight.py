from django.urls import path

from assurance.views import insight as views

app_name = "insight"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.cycle_insight, name="cycle"),
    path("<slug:slug>/<slug:chart>.csv", views.chart_csv, name="csv"),
]
