"""Limits that keep a class working: a class behind one campus address consents and uploads together,
while a flood is stopped per address and per link (finding 10 of issue 17)."""

from __future__ import annotations

import time

from django.test import Client

from cohort import ratelimit
from media_feedback.models import Clip
from tests.factories import early_in_window
from tests.media_feedback.factories import tus_client_upload

CONSENT = {"question": "What helped you most?", "visibility": "institutions", "age_band": "18+", "confirm": "on"}
CAMPUS = "192.0.2.10"  # one address: the campus network's NAT


def _student(link, address: str) -> Client:
    client = Client(REMOTE_ADDR=address)
    response = client.post(f"/s/{link.token}/", CONSENT)
    assert response.status_code == 302, response.content.decode()[-400:]
    return client


def test_thirty_students_behind_one_address_all_consent_and_upload_but_a_flood_is_stopped(irwell_link) -> None:
    """Finding 10: consent and uploads were limited to 10 per address per 10 minutes, so a class on one
    campus network was refused. Now 30 students behind one address all get through; the flood is
    stopped per address (well before the 300th) and per link, with a plain message, saving nothing."""
    early_in_window(ratelimit.STUDENT_WINDOW, 60)
    started = time.monotonic()
    for _ in range(30):
        client = _student(irwell_link, CAMPUS)
        public_id = client.session["clip_uploads"][irwell_link.token][0]
        tus_client_upload(client, Clip.objects.get(public_id=public_id), b"one student's clip" * 100)
    took = time.monotonic() - started
    assert Clip.objects.filter(status=Clip.Status.RECEIVED).count() == 30
    print(f"30 students behind one address consented and uploaded in {took:.1f} s")

    # The same address carries on: refused once it passes the per-address limit.
    for _ in range(ratelimit.STUDENT_PER_ADDRESS - 30):
        _student(irwell_link, CAMPUS)
    before = Clip.objects.count()
    refused = Client(REMOTE_ADDR=CAMPUS).post(f"/s/{irwell_link.token}/", CONSENT)
    assert refused.status_code == 429
    assert "from your network in the last ten minutes" in refused.content.decode()
    assert "Please try again in ten minutes" in refused.content.decode()
    assert Clip.objects.count() == before == ratelimit.STUDENT_PER_ADDRESS < 300

    # Other addresses still get in, until the link itself has had its limit.
    for i in range(ratelimit.STUDENT_PER_LINK - ratelimit.STUDENT_PER_ADDRESS):
        _student(irwell_link, f"198.51.100.{i % 250}")
    refused = Client(REMOTE_ADDR="203.0.113.1").post(f"/s/{irwell_link.token}/", CONSENT)
    assert refused.status_code == 429
    assert "with this link in the last ten minutes" in refused.content.decode()
    assert Clip.objects.count() == ratelimit.STUDENT_PER_LINK
