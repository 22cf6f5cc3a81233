"""Consultations' routes, in the `meetings` namespace: meetings/urls.py lists them among its own."""

from django.urls import URLPattern, path

from meetings.consultations import views

C = "consultations/<id:consultation_id>/"
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns: list[URLPattern] = [
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/availability/", views.availability, name="consultation_availability"),
    path("consultations/book/", views.book, name="consultation_book"),
    path(C, views.detail, name="consultation_detail"),
    path(C + "invite.ics", views.calendar_file, name="consultation_ics"),
    path(C + "cancel/", views.cancel, name="consultation_cancel"),
    path(C + "reschedule/", views.reschedule, name="consultation_reschedule"),
    path(C + "notes/", views.notes, name="consultation_notes"),
]
# Site-wide: the private calendar feed, which holds group meetings and consultations.
urlpatterns: list[URLPattern] = [
    path("calendar/feed/<str:token>.ics", views.feed, name="feed"),
]
