"""What a video and its caption tracks must be before anyone is shown them.

PyAV (FFmpeg) reads the container and decodes a picture: a file named .mp4 that is really HTML, a
truncated upload or a codec browsers cannot play is refused here, at `content sync` or upload, not
discovered by a learner. webvtt-py reads the caption cues; it skips what it cannot parse, so the timing
lines are also counted here to name the line it dropped.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

import av
import webvtt

# Containers and codecs every browser in the prefecture's estate plays with its own <video> element.
CONTAINERS = {
    "mp4": ("mp4", {"h264"}, {"aac"}, "video/mp4"),
    "webm": ("matroska", {"vp8", "vp9", "av1"}, {"opus", "vorbis"}, "video/webm"),
}
EXTENSION_OF = {"mp4": ".mp4", "webm": ".webm"}
MAX_DURATION_SECONDS = 4 * 60 * 60
# Caption cues may end a little after the last frame: encoders round the duration down.
CUE_END_TOLERANCE = 1.0
# The WebVTT cue text tags (W3C WebVTT, 4.2.2); anything else, <script> above all, is refused.
CUE_TAGS = {"c", "i", "b", "u", "ruby", "rt", "v", "lang"}
_TAG = re.compile(r"<\s*/?\s*([^\s>./]*)[^>]*>")
_CUE_TIMESTAMP_TAG = re.compile(r"<\d{2,}:\d{2}(?::\d{2})?\.\d{3}>")
_TIMING = re.compile(r"^\s*(\S+)\s+-->\s+(\S+)")


class MediaProblem(ValueError):
    """Why a media file is refused; `line` is set for a caption file's line."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class VideoFacts:
    container: str  # a key of CONTAINERS
    video_codec: str
    audio_codec: str | None
    duration: float  # seconds
    width: int
    height: int

    @property
    def mime_type(self) -> str:
        return CONTAINERS[self.container][3]


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str  # plain text: tags removed, entities decoded


def container_of(head: bytes) -> str | None:
    """The container a file's first bytes announce: MP4 has an `ftyp` box first, WebM an EBML header."""
    if head[4:8] == b"ftyp":
        return "mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm"
    return None


def probe_video(path: Path, thorough: bool = False) -> VideoFacts:
    """Facts of a playable video, or MediaProblem saying why it is not one.

    `thorough` also reads every packet (no decoding: about as fast as reading the file), which finds a
    file cut short; `content sync` and uploads ask for it, loading content at start-up does not.
    """
    with path.open("rb") as file:
        head = file.read(64)
    container = container_of(head)
    if container is None:
        raise MediaProblem("not an MP4 or WebM video: its first bytes are not a video container's")
    demuxer, video_codecs, audio_codecs, _mime = CONTAINERS[container]
    try:
        with av.open(str(path), format=demuxer) as opened:
            if not opened.streams.video:
                raise MediaProblem("the file has no video track")
            video = opened.streams.video[0]
            audio = opened.streams.audio[0] if opened.streams.audio else None
            if video.codec_context.name not in video_codecs:
                raise MediaProblem(f"{container.upper()} video must be {' or '.join(sorted(video_codecs))}, "
                                   f"not {video.codec_context.name}")
            if audio is not None and audio.codec_context.name not in audio_codecs:
                raise MediaProblem(f"{container.upper()} audio must be {' or '.join(sorted(audio_codecs))}, "
                                   f"not {audio.codec_context.name}")
            if video.codec_context.pix_fmt is None:
                raise MediaProblem("the video track cannot be read (the file may be cut short)")
            if video.codec_context.name == "h264" and video.codec_context.pix_fmt not in ("yuv420p", "yuvj420p"):
                raise MediaProblem(f"H.264 video must be 4:2:0 (yuv420p) for browsers to play it, "
                                   f"not {video.codec_context.pix_fmt}")
            duration = _duration(opened, video)
            if not 0 < duration <= MAX_DURATION_SECONDS:
                raise MediaProblem(f"the video's length ({duration:.1f} s) must be above 0 and at most 4 hours")
            if next(opened.decode(video=0), None) is None:
                raise MediaProblem("no picture in the video could be decoded")
            if thorough:
                _check_packets(opened, video, duration)
            return VideoFacts(container, video.codec_context.name,
                              audio.codec_context.name if audio is not None else None,
                              round(duration, 3), video.codec_context.width, video.codec_context.height)
    except av.FFmpegError as error:
        raise MediaProblem(f"the video cannot be read ({error.strerror or error})") from error


def _check_packets(opened: av.container.InputContainer, video: av.VideoStream, duration: float) -> None:
    opened.seek(0)
    last_end = 0.0
    for packet in opened.demux(video):
        if packet.pts is not None and packet.time_base is not None:
            last_end = max(last_end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    if last_end < duration - CUE_END_TOLERANCE:
        raise MediaProblem(f"the video stops at {clock(last_end)} but says it lasts {clock(duration)}: "
                           "the file is cut short")


def _duration(opened: av.container.InputContainer, video: av.VideoStream) -> float:
    if opened.duration:
        return opened.duration / av.time_base
    if video.duration and video.time_base:
        return float(video.duration * video.time_base)
    return 0.0


def read_captions(path: Path, duration: float) -> tuple[Cue, ...]:
    """The cues of a WebVTT file whose every cue lies inside the video, or MediaProblem with its line."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise MediaProblem("captions must be UTF-8 text", line=1) from error
    return parse_captions(text, duration)


def parse_captions(text: str, duration: float) -> tuple[Cue, ...]:
    lines = text.splitlines()
    if not lines or not re.match(r"^WEBVTT(?:[ \t].*)?$", lines[0]):
        raise MediaProblem("a WebVTT file must start with a line 'WEBVTT'", line=1)
    for number, line in enumerate(lines, start=1):
        if line.strip() == "STYLE":
            # A style block can load images and fonts by url(); captions need none.
            raise MediaProblem("STYLE blocks are not allowed in captions", line=number)
    timing_lines = [number for number, line in enumerate(lines, start=1) if "-->" in line]
    try:
        parsed = webvtt.from_string(text)
    except (webvtt.errors.MalformedFileError, webvtt.errors.MalformedCaptionError) as error:
        raise MediaProblem(f"not a valid WebVTT file ({error})", line=1) from error
    if len(parsed.captions) != len(timing_lines):
        line = _first_bad_timing(lines, timing_lines)
        raise MediaProblem("this cue's timing is not 'HH:MM:SS.mmm --> HH:MM:SS.mmm'", line=line)
    if not parsed.captions:
        raise MediaProblem("the captions have no cues", line=1)
    cues = []
    for line, caption in zip(timing_lines, parsed.captions, strict=True):
        start = caption.start_time.in_milliseconds() / 1000
        end = caption.end_time.in_milliseconds() / 1000
        if end <= start:
            raise MediaProblem("the cue ends before it starts", line=line)
        if end > duration + CUE_END_TOLERANCE:
            raise MediaProblem(f"the cue ends at {clock(end)}, after the video's end ({clock(duration)})",
                               line=line)
        _check_tags(caption.raw_text, line)
        cues.append(Cue(start, end, html.unescape(caption.text).strip()))
    return tuple(cues)


def _first_bad_timing(lines: list[str], timing_lines: list[int]) -> int:
    for number in timing_lines:
        match = _TIMING.match(lines[number - 1])
        if not match or not all(re.fullmatch(r"(\d{2,}:)?\d{2}:\d{2}\.\d{3}", part) for part in match.groups()):
            return number
    return timing_lines[0] if timing_lines else 1


def _check_tags(raw_text: str, timing_line: int) -> None:
    for offset, text_line in enumerate(raw_text.splitlines(), start=1):
        for match in _TAG.finditer(_CUE_TIMESTAMP_TAG.sub("", text_line)):
            if match[1].lower() not in CUE_TAGS:
                raise MediaProblem(f"<{match[1] or '…'}> is not a WebVTT cue tag (allowed: "
                                   f"{', '.join(sorted(CUE_TAGS))})", line=timing_line + offset)


def clock(seconds: float) -> str:
    """12:34.5 or 1:02:03.0, as caption editors show times."""
    whole, tenths = divmod(round(seconds * 10), 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}.{tenths}" if hours else f"{minutes}:{secs:02d}.{tenths}"
