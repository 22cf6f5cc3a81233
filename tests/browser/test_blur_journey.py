"""A student who agreed to be quoted anonymously sends a video of their face; the facilitator
reviews and releases it; the institution's lead plays it with the face blurred. Real Chromium, real
Daphne, the real tus endpoint and pipeline (check, transcode, blur, transcribe), the keyboard alone;
a frame of the video the lead is served goes through a face detector, which finds no face."""

from __future__ import annotations

import io
from datetime import timedelta

import av
import cv2
import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cohort.access import get_membership
from cohort.models import Role
from media_feedback import services
from media_feedback.models import Clip
from tests import factories
from tests.browser.support import activate, log_in, skip_to_main
from tests.media_feedback.factories import FaceVideo, face_video, tus_client_upload

pytestmark = pytest.mark.browser

# A different detector from the blur's, to check its work: OpenCV's Haar cascade, inside the wheel.
FACES = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def faces(tmp_path_factory: pytest.TempPathFactory) -> FaceVideo:
    return face_video(tmp_path_factory.mktemp("blur-journey") / "my-first-year.mp4", width=480, height=270, fps=15)


def clip_url(name: str, clip: Clip) -> str:
    return reverse(f"media_feedback:{name}", kwargs={"cohort": "gm", "clip_id": clip.public_id})


def face_in_frame(data: bytes, index: int, face: tuple[int, int, int, int]) -> bool:
    """Whether a lenient detector finds a face where the face is, in frame `index` of the video."""
    with av.open(io.BytesIO(data), mode="r") as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                grey = frame.to_ndarray(format="gray")
                break
    x0, y0, x1, y1 = face
    margin = x1 - x0
    top, left = max(0, y0 - margin), max(0, x0 - margin)
    found = FACES.detectMultiScale(grey[top : y1 + margin, left : x1 + margin], 1.05, 3, minSize=(24, 24))
    return any(left + x < x1 and x0 < left + x + w and top + y < y1 and y0 < top + y + h for x, y, w, h in found)


def test_the_lead_sees_an_anonymous_students_video_with_the_face_blurred(new_page, faces: FaceVideo) -> None:
    cohort = factories.make_cohort("Greater Manchester cohort", slug="gm")
    irwell = factories.make_institution("University of Irwell Valley", "Irwell")
    factories.join(cohort, irwell)
    fran = factories.make_user("Fran", totp=True)
    factories.member(fran, cohort, Role.FACILITATOR)
    lena = factories.make_user("Lena")
    factories.member(lena, cohort, Role.LEAD, irwell)
    call = services.open_call(
        get_membership(fran, "gm"),
        title="How was your first year?",
        questions="What helped you most?",
        areas=[],
        opens_at=timezone.now() - timedelta(hours=1),
        closes_at=timezone.now() + timedelta(days=7),
    )
    link = call.links.get(institution=irwell)
    # The student shares the clip with their institution and may be quoted anonymously; the upload
    # goes through the tus endpoint, and the pipeline runs on commit.
    clip, _ = services.give_consent(
        link, question="What helped you most?", share_with_institutions=True, may_quote=True, age_band="18+"
    )
    prefix = clip.storage_prefix
    try:
        tus_client_upload(Client(), clip, faces.path.read_bytes())
        clip.refresh_from_db()
        assert clip.status == Clip.Status.READY and clip.blurred_rendition_name

        # The facilitator reviews it: the page says the faces are blurred for everyone else.
        facilitator = new_page()
        log_in(facilitator, fran.email, factories.PASSWORD, totp_user=fran)
        facilitator.goto(clip_url("review_clip", clip))
        assert (
            facilitator.locator("#blur-faces").get_by_text("the student agreed to be quoted anonymously").is_visible()
        )
        skip_to_main(facilitator)
        activate(facilitator, "Mark as reviewed")
        skip_to_main(facilitator)
        activate(facilitator, "Release to Irwell")
        assert facilitator.locator(".clip-facts").get_by_text("Released", exact=True).is_visible()

        # The lead finds it and plays it: the video served is the blurred one.
        lead = new_page()
        log_in(lead, lena.email, factories.PASSWORD)
        lead.goto("/c/gm/clips/")
        skip_to_main(lead)
        activate(lead, "Video of", kind="a")
        assert lead.get_by_text("Faces in the video are blurred.").is_visible()
        source = lead.locator("video.clip-player source")
        assert source.get_attribute("src") == clip_url("redacted_media", clip)
        served = lead.request.get(clip_url("redacted_media", clip))
        assert served.status == 200 and served.headers["content-type"] == "video/mp4"
        assert lead.request.get(clip_url("clip_media", clip)).status == 404

        # A frame showing the face: the facilitator's copy shows it, the lead's does not.
        unblurred = facilitator.request.get(clip_url("clip_media", clip)).body()
        shown = [i for i in sorted(faces.faces)[::4] if face_in_frame(unblurred, i, faces.faces[i])]
        assert shown, "the detector found the face in none of the facilitator's frames"
        blurred = served.body()
        assert [i for i in shown if face_in_frame(blurred, i, faces.faces[i])] == []
    finally:
        if default_storage.exists(prefix):
            for name in default_storage.listdir(prefix)[1]:
                default_storage.delete(f"{prefix}{name}")
