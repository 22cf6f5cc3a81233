"""URL patterns of clip review and summary documents; included by media_feedback/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
