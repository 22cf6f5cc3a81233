from django.urls import path

from cohort import views

app_name = "cohort"
urlpatterns = [
    path("invitations/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.mark_notifications_read, name="mark_notifications_read"),
    path("notifications/<int:notification_id>/", views.open_notification, name="open_notification"),
    path("notifications/preferences/", views.notification_preferences, name="notification_preferences"),
    path("profile/", views.profile, name="profile"),
    path("c/<slug:cohort>/framework/", views.framework, name="framework"),
    path("c/<slug:cohort>/institutions/<slug:institution>/", views.institution, name="institution"),
    path("c/<slug:cohort>/people/", views.people, name="people"),
    path("c/<slug:cohort>/people/invite/", views.invite, name="invite"),
    path("c/<slug:cohort>/people/<int:membership_id>/role/", views.change_role, name="change_role"),
    path("c/<slug:cohort>/people/<int:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("c/<slug:cohort>/invitations/<int:invitation_id>/revoke/", views.revoke_invitation, name="revoke_invitation"),
]
