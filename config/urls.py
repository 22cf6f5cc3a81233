from types import ModuleType

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path

import cohort.audit.urls
import cohort.sso.login
import cohort.urls
import discussions.urls
import media_feedback.urls
import meetings.urls
from cohort import i18n
from config import views

# Every page of a cohort lives under this one prefix; the views take the slug as `cohort`.
COHORT = "c/<slug:cohort>/"


def app_routes(urls: ModuleType) -> URLResolver:
    """An app's routes in its namespace: its cohort routes under the one cohort prefix, its few
    site-wide routes at the root."""
    cohort_prefix = path(COHORT, include(urls.cohort_urlpatterns))
    return path("", include(([cohort_prefix, *urls.urlpatterns], urls.app_name)))


urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path(
        COHORT,
        include(
            [
                path("", views.dashboard, name="dashboard"),
                path("privacy/", views.privacy, name="privacy"),
                path("privacy/<id:user_id>/export/", views.privacy_export, name="privacy_export"),
                path("privacy/<id:user_id>/erase/", views.privacy_erase, name="privacy_erase"),
                # What will be deleted when, from the personal-data map's retention declarations.
                path("clips/retention/", views.retention, name="retention"),
            ]
        ),
    ),
    *(
        app_routes(urls)
        for urls in (cohort.urls, cohort.audit.urls, meetings.urls, discussions.urls, media_feedback.urls)
    ),
    # The privacy notice under a student's link (no account: the link's token is the permission).
    path("s/<str:token>/privacy/", views.privacy_notice, name="privacy_notice"),
    path("privacy/accounts/", views.account_search, name="account_search"),
    path("privacy/accounts/<id:user_id>/erase/", views.account_erasure, name="account_erasure"),
    path("language/", i18n.set_language, name="set_language"),
    # Typing into a form keeps a staff session alive (static/js/drafts.js).
    path("still-typing/", views.still_typing, name="still_typing"),
    # The Welsh and English of the project's JavaScript (static/js), for gettext() in the browser.
    path("jsi18n/", i18n.JavaScriptCatalogue.as_view(), name="javascript-catalog"),
    # allauth's log-in with the e-mail first (an institution's own sign-in, or the password).
    path("accounts/login/", cohort.sso.login.login),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
