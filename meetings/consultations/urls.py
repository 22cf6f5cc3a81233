"""Consultations' routes, in the `meetings` namespace: meetings/urls.py lists them among its cohort routes."""

from django.urls import URLPattern, path

from meetings.consultations import views

cohort_urlpatterns: list[URLPattern] = [
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/availability/", views.availability, name="consultation_availability"),
    path("consultations/book/", views.book, name="consultation_book"),
    path("consultations/<int:pk>/", views.detail, name="consultation_detail"),
    path("consultations/<int:pk>/invite.ics", views.calendar_file, name="consultation_ics"),
    path("consultations/<int:pk>/cancel/", views.cancel, name="consultation_cancel"),
    path("consultations/<int:pk>/reschedule/", views.reschedule, name="consultation_reschedule"),
    path("consultations/<int:pk>/notes/", views.notes, name="consultation_notes"),
]
