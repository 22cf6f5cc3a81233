"""What the checks and the transcription make of a recording with nothing to hear, of one whose
channels cancel out when mixed, and of a WAV file cut short: the student and the facilitators are
told what happened, in plain words."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import av
import numpy as np
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from media_feedback import media, tasks
from media_feedback.models import Clip, RefusedUpload
from tests.factories import World, client_for
from tests.media_feedback.factories import consent
from tests.media_feedback.make_fixtures import read_audio, speech_wav
from tests.services import missing

pytestmark = pytest.mark.usefixtures("immediate_tasks")
RATE = 16_000


def write_wav(path: Path, channels: np.ndarray, rate: int = RATE) -> Path:
    """PCM 16-bit WAV of float samples shaped (channels, samples)."""
    layout = "mono" if channels.shape[0] == 1 else "stereo"
    with av.open(str(path), mode="w", format="wav") as out:
        stream = out.add_stream("pcm_s16le", rate=rate)
        stream.layout = layout
        pcm = (np.clip(channels, -1, 1) * 32767).astype(np.int16)
        for start in range(0, pcm.shape[1], 4096):
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(pcm[:, start : start + 4096]), format="s16p", layout=layout
            )
            frame.sample_rate = rate
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


@pytest.fixture(scope="module")
def speech(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        missing("these tests need espeak-ng (apt-get install espeak-ng)")
    wav = speech_wav(tmp_path_factory.mktemp("speech") / "speech.wav")
    return read_audio(wav, rate=RATE).astype(np.float32) / 32768


def review_page(world: World, clip: Clip) -> str:
    address = reverse("media_feedback:review_clip", kwargs={"cohort": clip.call.cohort.slug, "clip_id": clip.public_id})
    return client_for(world.fran).get(address).content.decode()


def test_a_silent_recording_is_kept_and_the_student_and_facilitator_are_told_there_is_no_sound(
    irwell_link, tus_put, tmp_path: Path, world: World
) -> None:
    clip, receipt = consent(irwell_link)
    tus_put(clip, write_wav(tmp_path / "silence.wav", np.zeros((1, 10 * RATE))).read_bytes())

    clip.refresh_from_db()
    assert (clip.status, clip.no_speech, clip.transcribed) == (Clip.Status.READY, "silent", False)
    page = Client().get(f"/my-clip/{receipt}/").content.decode()
    assert "No sound found" in page
    assert "we could not hear any sound in it" in page
    assert "ready for the facilitators" not in page
    assert f'href="/s/{irwell_link.token}/"' in page  # to send another clip
    assert "no sound could be heard in the recording" in review_page(world, clip)


def test_a_clip_the_model_finds_no_words_in_says_so_to_both(
    irwell_link, tus_put, tmp_path: Path, world: World, speech: np.ndarray, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "transcribe_audio", lambda *args, **kwargs: [])
    clip, receipt = consent(irwell_link)
    tus_put(clip, write_wav(tmp_path / "hum.wav", speech.reshape(1, -1)).read_bytes())

    clip.refresh_from_db()
    assert (clip.status, clip.no_speech) == (Clip.Status.READY, "no_words")
    assert "we could not make out any words in it" in Client().get(f"/my-clip/{receipt}/").content.decode()
    assert "no words could be made out in the recording" in review_page(world, clip)


def test_channels_that_cancel_when_mixed_are_transcribed_from_the_louder_one(
    irwell_link, tus_put, tmp_path: Path, speech: np.ndarray
) -> None:
    inverted = write_wav(tmp_path / "inverted.wav", np.vstack([speech * 0.9, -speech]))
    heard = media.decode_audio(inverted)
    assert np.abs(heard).max() > 0.5  # the plain mix would be near zero
    assert np.allclose(heard[: len(speech)], -speech, atol=0.01)  # the louder channel, whole

    clip, _ = consent(irwell_link)
    tus_put(clip, inverted.read_bytes())
    clip.refresh_from_db()
    assert (clip.status, clip.no_speech) == (Clip.Status.READY, "")
    assert "college" in clip.transcript.text.lower()


def test_an_ordinary_stereo_pair_is_mixed() -> None:
    pair = np.vstack([np.full(100, 0.4), np.full(100, 0.2)]).astype(np.float32)
    mixed = pair.mean(axis=0)
    assert float((mixed**2).sum()) > media.CANCELLED_SHARE * float((pair[0] ** 2).sum())


def test_a_wav_cut_short_is_refused_as_incomplete(irwell_link, tus_put, tmp_path: Path, speech: np.ndarray) -> None:
    whole = write_wav(tmp_path / "whole.wav", np.tile(speech, 2).reshape(1, -1)).read_bytes()
    half = whole[: len(whole) // 2]
    cut = tmp_path / "cut.wav"
    cut.write_bytes(half)
    assert media.wav_missing_seconds(cut) > 2
    clip, receipt = consent(irwell_link)
    tus_put(clip, half)

    assert not Clip.objects.exists()
    assert "seems incomplete" in RefusedUpload.objects.get().reason
    assert "seems incomplete" in Client().get(f"/my-clip/{receipt}/").content.decode()


def test_a_whole_wav_and_a_streamed_one_with_no_length_are_not_incomplete(tmp_path: Path) -> None:
    whole = write_wav(tmp_path / "whole.wav", np.zeros((2, RATE)))
    assert media.wav_missing_seconds(whole) == 0
    streamed = tmp_path / "streamed.wav"
    data = bytearray(whole.read_bytes())
    at = data.index(b"data")
    data[at + 4 : at + 8] = b"\xff\xff\xff\xff"  # what a recorder writing as it goes leaves
    streamed.write_bytes(bytes(data))
    assert media.wav_missing_seconds(streamed) == 0


def test_the_student_is_told_when_preparing_takes_longer_than_usual(irwell_link) -> None:
    clip, receipt = consent(irwell_link)
    Clip.objects.filter(pk=clip.pk).update(status=Clip.Status.TRANSCRIBING, status_changed_at=timezone.now())
    assert "this takes a minute or two" in Client().get(f"/my-clip/{receipt}/").content.decode()

    Clip.objects.filter(pk=clip.pk).update(status_changed_at=timezone.now() - timedelta(minutes=6))
    page = Client().get(f"/my-clip/{receipt}/").content.decode()
    assert "taking longer than usual" in page
    assert "You can close this page: your clip is safe" in page
