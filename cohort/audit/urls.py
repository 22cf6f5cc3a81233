from django.urls import path

from cohort.audit import views as audit_views

app_name = "audit"
urlpatterns = [path("c/<slug:cohort>/audit/", audit_views.audit_log, name="log")]
