from django.contrib import admin
from django.urls import include, path

from config import views

urlpatterns = [
    path("", views.home, name="home"),
    path("c/<slug:cohort>/", views.dashboard, name="dashboard"),
    path("c/<slug:cohort>/privacy/", views.privacy, name="privacy"),
    path("c/<slug:cohort>/privacy/<int:user_id>/export/", views.privacy_export, name="privacy_export"),
    path("c/<slug:cohort>/privacy/<int:user_id>/erase/", views.privacy_erase, name="privacy_erase"),
    path("", include("cohort.urls")),
    path("", include("cohort.audit.urls")),
    path("", include("meetings.urls")),
    path("", include("discussions.urls")),
    path("", include("media_feedback.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
