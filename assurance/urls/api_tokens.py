from django.urls import path

from assurance.views import api_tokens as views

app_name = "api_tokens"

urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("<int:pk>/revoke/", views.revoke, name="revoke"),
]
