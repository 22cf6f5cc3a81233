"""Every common format a student's phone, browser or recorder sends becomes a playable rendition and,
since each carries speech, a transcript: uploaded through the tus endpoint, run by the worker.

The corpus (tests/media_feedback/make_fixtures.py, `CORPUS`) is generated once per session from
espeak-ng speech: WAV 8/16/24-bit and float, mono and stereo (one pair with a channel inverted),
8-48 kHz; AIFF; MP3 CBR and VBR; AAC in M4A and in an audio-only MP4; Opus in WebM and Ogg; Vorbis;
FLAC; phone videos in MP4 and MOV (H.264 and HEVC, portrait with the rotation phones write, variable
frame rate) and a browser's WebM.
"""

from __future__ import annotations

import shutil
from fractions import Fraction
from itertools import pairwise
from pathlib import Path

import av
import numpy as np
import pytest

from media_feedback import media
from media_feedback.models import Clip
from tests.media_feedback.factories import consent
from tests.media_feedback.make_fixtures import (
    CORPUS,
    CORPUS_WORDS,
    Sample,
    corpus_speech,
    make_corpus,
)
from tests.services import missing

pytestmark = pytest.mark.usefixtures("immediate_tasks")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    for tool in ("espeak-ng", "sox"):
        if shutil.which(tool) is None:
            missing(f"the format corpus needs {tool} (apt-get install {tool})")
    return make_corpus(tmp_path_factory.mktemp("format-corpus"))


def frame_times(path: Path) -> list[float]:
    with av.open(str(path)) as c:
        return sorted(round(float(f.time), 3) for f in c.decode(video=0))


@pytest.mark.parametrize("sample", CORPUS, ids=lambda s: s.name)
def test_every_common_format_becomes_a_playable_rendition_and_a_transcript(
    sample: Sample, corpus, irwell_link, tus_put, media_root
) -> None:
    original = corpus[sample.name]
    spoken = len(corpus_speech(original.parent)) / 48000
    clip, _ = consent(irwell_link)
    tus_put(clip, original.read_bytes())
    clip.refresh_from_db()
    assert (clip.status, clip.failure_reason) == (Clip.Status.READY, "")
    assert clip.kind == sample.kind
    assert abs((clip.duration_seconds or 0) - spoken) < 0.1

    rendition = media_root / clip.rendition_name
    with av.open(str(rendition)) as played:
        codecs = [s.codec_context.name for s in played.streams]
        assert codecs == (["h264", "aac"] if sample.kind == "video" else ["aac"])
        audio = played.streams.audio[0]
        assert audio.codec_context.sample_rate == 48000
        # The audio's timestamps are right by construction: one AAC frame after another from the start
        # (the encoder's priming frame, which players skip, sits just before zero).
        pts = [p.pts or 0 for p in played.demux(audio) if p.size]
        assert -1024 <= pts[0] <= 0
        assert [b - a for a, b in pairwise(pts)] == [1024] * (len(pts) - 1)
    # Playable: every frame decodes, and the sound lasts as long as the original's.
    sound = media.decode_audio(rendition, rate=48000)
    assert abs(len(sound) / 48000 - spoken) < 0.05
    assert np.abs(sound).max() > 0.1

    if sample.kind == "video":
        assert sample.upright is not None
        with av.open(str(rendition)) as played:
            first = next(played.decode(video=0))
            assert (first.width, first.height) == sample.upright
            assert not played.streams.video[0].codec_context.coded_side_data  # no rotation left to apply
            picture = first.to_ndarray(format="rgb24").astype(int)
        band = max(4, picture.shape[0] // 10)
        red = (picture[..., 0] > 180) & (picture[..., 1] < 80)
        assert red[:band].mean() > 0.9  # the band filmed at the top is at the top: upright
        assert red[-band:].mean() < 0.05
        # Each picture keeps its moment (a variable frame rate stays variable), counted from zero.
        before, after = frame_times(original), frame_times(rendition)
        assert len(after) == len(before)
        assert np.allclose(np.array(after), np.array(before) - before[0], atol=0.002)

    text = clip.transcript.text.lower()
    heard = [w for w in CORPUS_WORDS if w in text]
    assert len(heard) >= len(CORPUS_WORDS) - 1, text


def _aac_with_a_hole(path: Path, speech: np.ndarray) -> None:
    """An M4A whose audio stops for a second after the first second (a recorder that dropped
    samples): the timestamps say so, the samples do not."""
    with av.open(str(path), mode="w", format="ipod") as out:
        stream = out.add_stream("aac", rate=48000)
        stream.layout = "mono"
        for start in range(0, len(speech), 1024):
            frame = av.AudioFrame.from_ndarray(speech[start : start + 1024].reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate, frame.time_base = 48000, Fraction(1, 48000)
            frame.pts = start + (48000 if start >= 48000 else 0)
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def test_a_hole_in_the_audio_becomes_silence_so_sound_and_timeline_stay_in_step(corpus, tmp_path) -> None:
    speech = corpus_speech(next(iter(corpus.values())).parent)
    holed = tmp_path / "hole.m4a"
    _aac_with_a_hole(holed, speech)
    rendition = media.transcode(holed, tmp_path / "out", "audio")
    assert abs(rendition.duration - (len(speech) / 48000 + 1.0)) < 0.05
    sound = media.decode_audio(rendition.path, rate=48000)
    hole = sound[int(1.05 * 48000) : int(1.95 * 48000)]
    assert np.abs(hole).max() < 0.01
    after = sound[int(2.0 * 48000) :]
    assert np.abs(after).max() > 0.1


@pytest.mark.parametrize(
    ("coded", "rotation", "shown"),
    [
        ((1920, 1080), -90, (720, 1280)),  # a phone held upright: 720p portrait, not a 404-pixel strip
        ((1920, 1080), 0, (1280, 720)),
        ((1080, 1920), 0, (720, 1280)),
        ((3840, 2160), 180, (1280, 720)),
        ((640, 480), 90, (480, 640)),  # never enlarged
        ((853, 480), 0, (852, 480)),  # even sides, as H.264 wants
    ],
)
def test_the_rendition_is_upright_and_at_most_720p_either_way_round(coded, rotation, shown) -> None:
    turns = media._turns(rotation)
    width, height = coded if turns % 2 == 0 else coded[::-1]
    assert media._frame_size(width, height) == shown
