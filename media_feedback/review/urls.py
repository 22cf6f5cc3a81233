"""Clip review and summary documents' routes, in the `media_feedback` namespace: media_feedback/urls.py
lists them among its own."""

from django.urls import URLPattern, path

from media_feedback.review import views

CLIP = "clips/<uuid:clip_id>/"
SUMMARY = "summaries/<id:document_id>/"

urlpatterns: list[URLPattern] = [
    path("my-clip/<str:token>/withdraw/", views.withdraw, name="withdraw"),
]
cohort_urlpatterns: list[URLPattern] = [
    path(CLIP, views.clip, name="clip"),
    path(f"{CLIP}review/", views.review_clip, name="review_clip"),
    path(f"{CLIP}review/redact/", views.redact_words, name="redact_words"),
    path(f"{CLIP}review/redactions/<id:redaction_id>/remove/", views.remove_redaction, name="remove_redaction"),
    path(f"{CLIP}review/transcript/", views.correct_transcript, name="correct_transcript"),
    path(f"{CLIP}review/tags/", views.tag_clip, name="tag_clip"),
    path(f"{CLIP}review/tags/<id:tag_id>/remove/", views.remove_tag, name="remove_tag"),
    path(f"{CLIP}review/suggestions/<slug:area>/", views.decide_suggestion, name="decide_suggestion"),
    path(f"{CLIP}review/quotes/", views.add_quote, name="add_quote"),
    path(f"{CLIP}review/quotes/<id:quote_id>/remove/", views.remove_quote, name="remove_quote"),
    path(f"{CLIP}review/done/", views.mark_reviewed, name="mark_reviewed"),
    path(f"{CLIP}review/release/", views.release_clip, name="release_clip"),
    path(f"{CLIP}review/blur/", views.blur_faces, name="blur_faces"),
    path(f"{CLIP}media/", views.clip_media, name="clip_media"),
    path(f"{CLIP}media/redacted/", views.redacted_media, name="redacted_media"),
    path(f"{CLIP}captions.vtt", views.clip_captions, name="clip_captions"),
    path(f"{CLIP}captions/redacted.vtt", views.redacted_captions, name="redacted_captions"),
    path("feedback/<id:call_id>/review/", views.review_queue, name="review_queue"),
    path("feedback/<id:call_id>/summaries/new/", views.create_summary, name="create_summary"),
    path("summaries/", views.summary_list, name="summary_list"),
    path(SUMMARY, views.summary_document, name="summary_document"),
    path(f"{SUMMARY}edit/", views.edit_summary, name="edit_summary"),
    path(f"{SUMMARY}preview/", views.preview_summary, name="preview_summary"),
    path(f"{SUMMARY}redraft/", views.redraft_summary, name="redraft_summary"),
    path(f"{SUMMARY}publish/", views.publish_summary, name="publish_summary"),
    path(f"{SUMMARY}history/", views.summary_history, name="summary_history"),
    path(f"{SUMMARY}v<id:number>/", views.summary_version, name="summary_version"),
    path(f"{SUMMARY}v<id:number>/pdf/", views.summary_pdf, name="summary_pdf"),
]
