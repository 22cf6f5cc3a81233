"""URL patterns of consultations; included by meetings/urls.py (same `meetings` namespace)."""

from django.urls import URLPattern, path

from meetings.consultations import views

urlpatterns: list[URLPattern] = [
    path("c/<slug:cohort>/consultations/", views.consultations, name="consultations"),
    path("c/<slug:cohort>/consultations/availability/", views.availability, name="consultation_availability"),
    path("c/<slug:cohort>/consultations/book/", views.book, name="consultation_book"),
    path("c/<slug:cohort>/consultations/<int:pk>/", views.detail, name="consultation_detail"),
    path("c/<slug:cohort>/consultations/<int:pk>/invite.ics", views.calendar_file, name="consultation_ics"),
    path("c/<slug:cohort>/consultations/<int:pk>/cancel/", views.cancel, name="consultation_cancel"),
    path("c/<slug:cohort>/consultations/<int:pk>/reschedule/", views.reschedule, name="consultation_reschedule"),
    path("c/<slug:cohort>/consultations/<int:pk>/notes/", views.notes, name="consultation_notes"),
]
