"""What counts as watched, and which videos and caption files are refused, without Flask."""

from pathlib import Path

import pytest

from elearn.content.media import MediaProblem, parse_captions, probe_video, read_captions
from elearn.demo.video import make_test_video
from elearn.domain import video as rules


def test_the_union_counts_a_stretch_watched_twice_or_in_two_tabs_once():
    assert rules.union([(10, 20), (0, 5), (4, 12), (30, 31)]) == ((0, 20), (30, 31))
    assert rules.seconds_in([(0, 10), (0, 10), (5, 15)]) == 15


def test_a_seek_to_the_end_adds_only_what_was_played():
    # The player reports the first 5 s, then the last 2 s after the seek: the jump itself is not a stretch.
    accepted = rules.accept([], rules.clean([[0, 5], [98, 100]], 100), seconds_since_last_report=None)
    assert rules.seconds_in(accepted.watched) == 7
    assert not rules.is_watched(accepted.watched, 100)


def test_a_report_adds_no_more_than_the_time_since_the_last_one_allows_at_double_speed():
    first = rules.accept([], [(0.0, 600.0)], seconds_since_last_report=None)
    allowance = rules.REPORT_EVERY_SECONDS * rules.FASTEST_RATE + rules.SLACK_SECONDS
    assert first.added_seconds == allowance and first.refused_seconds == 600 - allowance
    # Ten seconds later, at most 2 x 10 s more (plus the slack); resending what is known costs nothing.
    second = rules.accept(first.watched, [(0.0, 600.0)], seconds_since_last_report=10)
    assert second.added_seconds == 10 * rules.FASTEST_RATE + rules.SLACK_SECONDS
    assert second.watched == ((0.0, allowance + second.added_seconds),)


def test_reported_stretches_are_kept_inside_the_video_and_the_right_way_round():
    assert rules.clean([[-5, 3], [8, 4], [9, 999], [1]], duration=10) == [(0.0, 3.0), (9.0, 10.0)]


@pytest.mark.parametrize(("watched", "percent", "expected"), [
    ([(0, 89.9)], 90, True),  # a tenth short of the threshold: players stop a frame early
    ([(0, 89.8)], 90, False),
    ([(0, 50), (50, 80)], 80, True),
])
def test_the_share_to_watch_is_set_per_course(watched, percent, expected):
    assert rules.is_watched(watched, 100, percent) is expected


def test_the_player_resumes_where_the_person_stopped_but_not_at_the_very_end():
    assert rules.resume_at(42.5, 100) == 42.5
    assert rules.resume_at(98.5, 100) == 0.0


CUES = "WEBVTT\n\n1\n00:00:00.000 --> 00:00:01.500\n<v 講師>こんにちは &amp; <b>ようこそ</b>\n"


def test_captions_keep_their_cues_as_plain_text():
    (cue,) = parse_captions(CUES, duration=2.0)
    assert (cue.start, cue.end, cue.text) == (0.0, 1.5, "こんにちは & ようこそ")


@pytest.mark.parametrize(("text", "line", "words"), [
    ("hello\n", 1, "must start with a line 'WEBVTT'"),
    ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n<script>alert(1)</script>\n", 4, "<script> is not a WebVTT cue tag"),
    ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nok\n<img src=x onerror=alert(1)>\n", 5, "<img> is not"),
    ("WEBVTT\n\nSTYLE\n::cue { background: url(http://x/) }\n", 3, "STYLE blocks are not allowed"),
    ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nok\n\n00:00:01.000 --> 00:00:09.000\nlate\n", 6,
     "ends at 0:09.0, after the video's end (0:02.0)"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:00.500\nbackwards\n", 3, "ends before it starts"),
    ("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nok\n\n00:00:01 --> soon\nbad\n", 6, "timing is not"),
])
def test_bad_captions_are_refused_with_their_line(text, line, words):
    with pytest.raises(MediaProblem) as refused:
        parse_captions(text, duration=2.0)
    assert refused.value.line == line and words in str(refused.value)


def test_captions_must_be_utf8(tmp_path):
    path = tmp_path / "x.vtt"
    path.write_bytes("WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n字幕\n".encode("cp932"))
    with pytest.raises(MediaProblem, match="UTF-8"):
        read_captions(path, 2.0)


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("videos")
    make_test_video(folder / "ok.mp4", seconds=4)
    make_test_video(folder / "ok.webm", seconds=1, container="webm")
    return folder


def test_mp4_and_webm_videos_are_read_with_their_length(videos):
    mp4 = probe_video(videos / "ok.mp4", thorough=True)
    assert (mp4.container, mp4.video_codec, mp4.audio_codec, mp4.mime_type) == ("mp4", "h264", "aac", "video/mp4")
    assert 3.9 < mp4.duration < 4.2 and (mp4.width, mp4.height) == (160, 90)
    webm = probe_video(videos / "ok.webm", thorough=True)
    assert (webm.container, webm.video_codec, webm.mime_type) == ("webm", "vp9", "video/webm")


def test_a_page_named_mp4_is_not_a_video(tmp_path):
    path = tmp_path / "lesson.mp4"
    path.write_text("<!doctype html><script>alert(document.cookie)</script>")
    with pytest.raises(MediaProblem, match="not an MP4 or WebM video"):
        probe_video(path)


def test_a_video_cut_short_is_found_when_read_through(videos, tmp_path):
    make_test_video(tmp_path / "long.mp4", seconds=10)
    data = (tmp_path / "long.mp4").read_bytes()
    (tmp_path / "cut.mp4").write_bytes(data[: len(data) // 2])
    assert probe_video(tmp_path / "cut.mp4").duration > 9  # the index at the front still says 10 s
    with pytest.raises(MediaProblem, match="cut short"):
        probe_video(tmp_path / "cut.mp4", thorough=True)
