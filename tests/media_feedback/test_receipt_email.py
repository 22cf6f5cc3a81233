"""A receipt exists only after the upload has completed, and its e-mail is limited per clip and per
address (finding 4 of issue 17)."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from media_feedback import views
from media_feedback.models import Clip
from tests.factories import early_in_window
from tests.media_feedback.factories import consent, tus_client_upload

CONSENT = {"question": "What helped you most?", "visibility": "institutions", "age_band": "18+", "confirm": "on"}


def _arrived(link) -> tuple[Clip, str]:
    clip, receipt = consent(link)
    tus_client_upload(Client(), clip, b"a small clip")
    clip.refresh_from_db()
    assert clip.status == Clip.Status.RECEIVED
    return clip, receipt


def test_the_done_page_gives_no_receipt_before_anything_is_uploaded(irwell_link) -> None:
    """Finding 4: /s/<link>/done/ handed out a working receipt before anything was uploaded."""
    client = Client()
    client.post(f"/s/{irwell_link.token}/", CONSENT)
    receipt = client.session["clip_uploads"][irwell_link.token][1]

    done = client.get(f"/s/{irwell_link.token}/done/")
    page = done.content.decode()
    assert done.status_code == 200
    assert "Your clip is still arriving" in page and "there is no private link yet" in page
    assert "/my-clip/" not in page and receipt not in page
    assert client.get(f"/my-clip/{receipt}/").status_code == 404
    assert client.post(f"/my-clip/{receipt}/email/", {"email": "someone@example.org"}).status_code == 404
    assert mail.outbox == []

    # Once the upload has completed, the same page shows the link, and it works.
    tus_client_upload(client, Clip.objects.get(), b"a small clip")
    page = client.get(f"/s/{irwell_link.token}/done/").content.decode()
    assert f"/my-clip/{receipt}/" in page
    assert client.get(f"/my-clip/{receipt}/").status_code == 200


def test_a_receipt_is_emailed_at_most_three_times(irwell_link) -> None:
    """Finding 4: one receipt sent 25 e-mails to 25 addresses."""
    clip, receipt = _arrived(irwell_link)
    client = Client()
    statuses = [client.post(f"/my-clip/{receipt}/email/", {"email": f"s{i}@example.org"}).status_code for i in range(4)]
    assert statuses == [302, 302, 302, 429]
    assert [m.to for m in mail.outbox] == [["s0@example.org"], ["s1@example.org"], ["s2@example.org"]]
    refused = client.post(f"/my-clip/{receipt}/email/", {"email": "s9@example.org"}).content.decode()
    assert "already been e-mailed 3 times" in refused and "Nothing more was sent" in refused
    assert 'value="s9@example.org"' in refused  # what was typed is still there
    assert f"/my-clip/{receipt}/</a>" in refused  # the link to copy instead
    clip.refresh_from_db()
    assert clip.receipt_emails_sent == 3


def test_one_address_gets_at_most_three_receipts_a_day(irwell_link) -> None:
    """Finding 4: a mailbox cannot be flooded with many receipts either."""
    early_in_window(86400, 10)
    receipts = [_arrived(irwell_link) for _ in range(4)]
    client = Client()
    statuses = [
        client.post(f"/my-clip/{receipt}/email/", {"email": "Same@Example.org"}).status_code for _, receipt in receipts
    ]
    assert statuses == [302, 302, 302, 429]
    assert len(mail.outbox) == 3
    last, receipt = receipts[3]
    page = client.post(f"/my-clip/{receipt}/email/", {"email": "same@example.org"}).content.decode()
    assert "already sent 3 private links to this address today" in page and "Try again tomorrow" in page
    last.refresh_from_db()
    assert last.receipt_emails_sent == 0  # the refusal changed nothing


def test_one_network_address_can_send_only_so_many_private_links_an_hour(irwell_link, monkeypatch) -> None:
    """Found by an outside tester: limits per clip and per recipient let one sender mail hundreds of
    addresses an hour by sending many clips."""
    monkeypatch.setattr(views, "RECEIPT_EMAILS_PER_ADDRESS", 4)
    early_in_window(3600, 10)
    receipts = [_arrived(irwell_link)[1] for _ in range(2)]
    client = Client()
    statuses = [
        client.post(f"/my-clip/{receipt}/email/", {"email": f"r{n}{i}@example.org"}).status_code
        for n, receipt in enumerate(receipts)
        for i in range(3)
    ]
    assert statuses == [302, 302, 302, 302, 429, 429]
    assert len(mail.outbox) == 4
    refused = client.post(f"/my-clip/{receipts[1]}/email/", {"email": "x@example.org"}).content.decode()
    assert "e-mailed from your network in the last hour" in refused
