"""An institution's sign-in (SSO), in the `cohort` namespace: cohort/urls.py lists them among its own."""

from django.urls import path

from cohort.sso import views as sso_views

# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns = [
    path("institutions/<slug:institution>/sign-in/", sso_views.sign_in_settings, name="sso_settings"),
    path("institutions/<slug:institution>/sign-in/for-it/", sso_views.sign_in_for_it, name="sso_it"),
]
urlpatterns: list = []
