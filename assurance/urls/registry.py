from django.urls import path

from assurance.views import registry

app_name = "registry"

urlpatterns = [
    path("", registry.pct_list, name="pct_list"),
    path("pcts/<str:code>/", registry.pct_detail, name="pct_detail"),
    path("shas/<str:code>/", registry.sha_detail, name="sha_detail"),
]
