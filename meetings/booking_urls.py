"""URL patterns of consultations; included by meetings/urls.py (same `meetings` namespace)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
