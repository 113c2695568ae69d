from django.urls import path

from assurance.views import due_process as views

app_name = "due_process"

urlpatterns = [
    path("", views.index, name="index"),
    path("cycles/<int:cycle_id>/accuracy-check/", views.window, name="window"),
    path("cycles/<int:cycle_id>/pcts/<str:code>/", views.draft, name="draft"),
    path(
        "cycles/<int:cycle_id>/pcts/<str:code>/items/<int:item>/challenge/",
        views.challenge_new,
        name="challenge_new",
    ),
    path("challenges/<int:pk>/", views.challenge, name="challenge"),
    path("challenge-files/<int:pk>/", views.challenge_document, name="challenge_document"),
    path("results/<int:pk>/pcts/<str:code>/review/", views.review_new, name="review_new"),
    path("reviews/<int:pk>/", views.review, name="review"),
]
