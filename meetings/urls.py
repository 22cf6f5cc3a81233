from django.urls import URLPattern, path

from meetings import views
from meetings.consultations import urls as consultations

app_name = "meetings"
M = "meetings/<id:meeting_id>/"
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns: list[URLPattern] = [
    path("meetings/", views.schedule, name="schedule"),
    path("meetings/series/new/", views.create_series, name="create_series"),
    path("meetings/series/<id:series_id>/", views.series, name="series"),
    path("meetings/series/<id:series_id>/length/", views.change_series_length, name="series_length"),
    path(M, views.meeting, name="meeting"),
    path(M + "meeting.ics", views.meeting_ics, name="meeting_ics"),
    path(M + "edit/", views.edit_meeting, name="edit_meeting"),
    path(M + "cancel/", views.cancel_meeting, name="cancel_meeting"),
    path(M + "restore/", views.restore_meeting, name="restore_meeting"),
    path(M + "agenda/", views.add_agenda_item, name="add_agenda_item"),
    path(M + "agenda/<id:item_id>/done/", views.agenda_item_done, name="agenda_item_done"),
    path(M + "agenda/<id:item_id>/remove/", views.remove_agenda_item, name="remove_agenda_item"),
    path(M + "agenda/carry-forward/", views.carry_forward, name="carry_forward"),
    path(M + "minutes/", views.save_minutes, name="save_minutes"),
    path(M + "outcomes/", views.add_outcome, name="add_outcome"),
    path(M + "attendance/", views.record_attendance, name="record_attendance"),
    path(M + "respond/", views.respond, name="respond"),
    path(M + "publish/", views.publish_summary, name="publish_summary"),
    *consultations.cohort_urlpatterns,
]
# Site-wide: the person's own calendar feed.
urlpatterns: list[URLPattern] = [
    path("calendar/", views.calendar_feed, name="calendar_feed"),
    path("calendar/regenerate/", views.regenerate_feed, name="regenerate_feed"),
    *consultations.urlpatterns,
]
