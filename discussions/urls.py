from django.urls import path

from discussions import views

app_name = "discussions"
P = "discussions/"
# Mounted under c/<slug:cohort>/ by config/urls.py.
cohort_urlpatterns = [
    path(P, views.index, name="index"),
    path(P + "themes/add/", views.add_theme, name="add_theme"),
    path(P + "themes/<id:theme_id>/", views.theme, name="theme"),
    path(P + "themes/<id:theme_id>/new/", views.new_thread, name="new_thread"),
    path(P + "threads/<id:thread_id>/", views.thread, name="thread"),
    path(P + "threads/<id:thread_id>/posts/", views.add_post, name="add_post"),
    path(P + "threads/<id:thread_id>/read/", views.mark_read, name="mark_read"),
    path(P + "threads/<id:thread_id>/subscription/", views.subscription, name="subscription"),
    path(P + "threads/<id:thread_id>/moderate/", views.moderate_thread, name="moderate_thread"),
    path(P + "posts/<id:post_id>/edit/", views.edit_post, name="edit_post"),
    path(P + "posts/<id:post_id>/delete/", views.delete_post, name="delete_post"),
    path(P + "posts/<id:post_id>/report/", views.report_post, name="report_post"),
    path(P + "posts/<id:post_id>/hide/", views.hide_post, name="hide_post"),
    path(P + "posts/<id:post_id>/practice/", views.mark_practice, name="mark_practice"),
    path(P + "reports/", views.reports, name="reports"),
    path(P + "reports/<id:report_id>/dismiss/", views.dismiss_report, name="dismiss_report"),
    path(P + "search/", views.search_view, name="search"),
    path(P + "people/", views.mention_suggestions, name="mention_suggestions"),
]
urlpatterns: list = []
