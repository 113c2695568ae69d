from django.urls import path

from assurance.views import panels

app_name = "panels"

urlpatterns = [
    path("", panels.index, name="index"),
    path("cycles/<int:cycle_id>/days/new/", panels.day_new, name="day_new"),
    path("days/<int:pk>/", panels.day_detail, name="day_detail"),
    path("days/<int:pk>/slots/", panels.slot_add, name="slot_add"),
    path("days/<int:pk>/members/", panels.day_members, name="day_members"),
    path("slots/<int:pk>/change/", panels.slot_change, name="slot_change"),
    path("slots/<int:pk>/remove/", panels.slot_remove, name="slot_remove"),
    path("days/<int:pk>/panel-day.ics", panels.day_ics, name="day_ics"),
    path("reviews/<int:pk>/", panels.review, name="review"),
    path("reviews/<int:pk>/notes/<str:section>/", panels.review_note, name="review_note"),
    path("scores/<int:pk>/", panels.score_sheet, name="score_sheet"),
    path("scores/<int:pk>/submit/", panels.score_sheet_submit, name="score_sheet_submit"),
    path("scores/<int:pk>/items/<str:key>/", panels.score_item, name="score_item"),
    path("consensus/<int:pk>/", panels.consensus, name="consensus"),
    path("consensus/<int:pk>/items/<str:key>/", panels.consensus_item, name="consensus_item"),
    path("consensus/<int:pk>/lock/", panels.consensus_lock, name="consensus_lock"),
    path("results/<int:pk>/", panels.result, name="result"),
    path("moderate/<int:pk>/", panels.moderate, name="moderate"),
    path("cycles/<int:cycle_id>/calibration/", panels.calibration, name="calibration"),
    path(
        "cycles/<int:cycle_id>/calibration/<str:kind>/<str:ref>/",
        panels.calibration_item,
        name="calibration_item",
    ),
]
