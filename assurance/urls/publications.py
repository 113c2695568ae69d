from django.urls import path

from assurance.views import publications as views

app_name = "publications"

urlpatterns = [
    path("", views.index, name="index"),
    path("cycles/<int:cycle_id>/publish/", views.publish, name="publish"),
    path("cycles/<int:cycle_id>/leave-out/", views.leave_out, name="leave_out"),
    path("left-out/<int:pk>/include/", views.include_again, name="include_again"),
    path("<int:pk>/", views.league_table, name="league_table"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/retry/", views.retry, name="retry"),
    path("<int:pk>/league-table.csv", views.league_table_export, {"fmt": "csv"}, name="csv"),
    path("<int:pk>/league-table.xlsx", views.league_table_export, {"fmt": "xlsx"}, name="xlsx"),
    path("<int:pk>/workbook.xlsx", views.workbook, name="workbook"),
    path("<int:pk>/league-table.pdf", views.document, name="league_table_pdf"),
    path("<int:pk>/improvement/", views.improvement, name="improvement"),
    path("<int:pk>/find/", views.find_pct, name="find"),
    path("<int:pk>/pcts/<str:code>/", views.pct_report, name="pct_report"),
    path("<int:pk>/pcts/<str:code>/report.pdf", views.document, name="pct_report_pdf"),
]
