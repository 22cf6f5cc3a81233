from django.urls import path

from cohort import views
from cohort.assessment import urls as assessment
from cohort.sso import urls as sso

app_name = "cohort"
# Site-wide: the person's own pages.
urlpatterns = [
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("unlock/<str:token>/", views.unlock_account, name="unlock_account"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_notifications_read, name="mark_notifications_read"),
    path("notifications/<id:notification_id>/", views.open_notification, name="open_notification"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("profile/", views.profile, name="profile"),
    *assessment.urlpatterns,
]
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns = [
    path("framework/", views.framework, name="framework"),
    path("institutions/<slug:institution>/", views.institution, name="institution"),
    path("people/", views.people, name="people"),
    path("people/invite/", views.invite, name="invite"),
    path("people/<id:membership_id>/role/", views.change_role, name="change_role"),
    path("people/<id:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("people/removed/<id:former_id>/readd/", views.readd_member, name="readd_member"),
    path("invitations/<id:invitation_id>/revoke/", views.revoke_invitation, name="revoke_invitation"),
    *assessment.cohort_urlpatterns,
    *sso.cohort_urlpatterns,
]
