from django.urls import URLPattern, path

from media_feedback import tus, views
from media_feedback.review import urls as review

app_name = "media_feedback"
urlpatterns: list[URLPattern] = [
    # A student's pages: the institution's link (on posters, so short), then a private receipt link.
    path("s/<str:token>/", views.call_link, name="call_link"),
    path("s/<str:token>/upload/", views.upload, name="upload"),
    path("s/<str:token>/done/", views.upload_done, name="upload_done"),
    path("my-clip/<str:token>/", views.receipt, name="receipt"),
    path("my-clip/<str:token>/email/", views.receipt_email, name="receipt_email"),
    path("my-clip/<str:token>/withdraw/", views.withdraw, name="withdraw"),
    # The tus endpoint the upload page's client talks to.
    path("clips/tus/", tus.endpoint, name="tus_endpoint"),
    path("clips/tus/<str:key>/", tus.upload, name="tus_upload"),
]
# The cohort's side, mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns: list[URLPattern] = [
    path("clips/", views.clips, name="clips"),
    path("clips/calls/", views.calls, name="calls"),
    path("clips/calls/<int:call>/", views.call, name="call"),
    path("clips/links/<int:link>/qr.svg", views.link_qr, name="link_qr"),
    path("clips/links/<int:link>/toggle/", views.link_toggle, name="link_toggle"),
    path("clips/<uuid:clip>/", views.clip, name="clip"),
    path("clips/<uuid:clip>/retry/", views.clip_retry, name="clip_retry"),
    path("clips/<uuid:clip>/file/<str:what>/", views.clip_file, name="clip_file"),
    *review.cohort_urlpatterns,
]
