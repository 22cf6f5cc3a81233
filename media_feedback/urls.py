from django.urls import URLPattern

from media_feedback.review_urls import urlpatterns as review_patterns

app_name = "media_feedback"
urlpatterns: list[URLPattern] = [
    *review_patterns,
]
