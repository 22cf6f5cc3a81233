from django.urls import URLPattern, path

from media_feedback import tus, views
from media_feedback.review import urls as review

# The app's routes, put together: clip review (with the clip's own page, which is redacted for all but
# facilitators, and the student's withdrawal, which reaches the summaries) shares the namespace.

app_name = "media_feedback"
urlpatterns: list[URLPattern] = [
    # A student's pages: the institution's link (on posters, so short), then a private receipt link.
    path("s/<str:token>/", views.call_link, name="call_link"),
    path("s/<str:token>/upload/", views.upload, name="upload"),
    path("s/<str:token>/done/", views.upload_done, name="upload_done"),
    path("my-clip/<str:token>/", views.receipt, name="receipt"),
    path("my-clip/<str:token>/email/", views.receipt_email, name="receipt_email"),
    *review.urlpatterns,
    # The tus endpoint the upload page's client talks to.
    path("clips/tus/", tus.endpoint, name="tus_endpoint"),
    path("clips/tus/<str:key>/", tus.upload, name="tus_upload"),
]
# The cohort's side, mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns: list[URLPattern] = [
    path("clips/", views.clips, name="clips"),
    path("clips/calls/", views.calls, name="calls"),
    path("clips/calls/<id:call_id>/", views.call, name="call"),
    path("clips/links/<id:link_id>/qr.svg", views.link_qr, name="link_qr"),
    path("clips/links/<id:link_id>/toggle/", views.link_toggle, name="link_toggle"),
    path("clips/<uuid:clip_id>/retry/", views.clip_retry, name="clip_retry"),
    path("clips/<uuid:clip_id>/file/<str:what>/", views.clip_file, name="clip_file"),
    path("clips/<uuid:clip_id>/type-transcript/", views.type_transcript, name="type_transcript"),
    *review.cohort_urlpatterns,
]
