from django.urls import path

from cohort.audit import views as audit_views

app_name = "audit"
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns = [path("audit/", audit_views.audit_log, name="log")]
urlpatterns: list = []
