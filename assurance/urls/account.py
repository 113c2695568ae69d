"""The "Your account" page and its sections; the personal calendar feed (issue 15)."""

from django.urls import path

from assurance.views import account as views

urlpatterns = [
    path("account/", views.account, name="account"),
    path("account/reminders/", views.reminders, name="account_reminders"),
    path("account/calendar/", views.calendar, name="account_calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
