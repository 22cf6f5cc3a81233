from django.urls import URLPattern

from meetings.booking_urls import urlpatterns as booking_patterns

app_name = "meetings"
urlpatterns: list[URLPattern] = [
    *booking_patterns,
]
