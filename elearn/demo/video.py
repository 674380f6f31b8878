"""Slide videos drawn with Pillow and encoded with PyAV: the demo's video lesson, and test videos.

`python -m elearn.demo.video` rewrites the demo lesson's files under
courses/security-basics/media/ (the video, its poster and its caption tracks); they are committed, so a
newcomer's `make demo` plays them with no network and no encoder run.
"""

from __future__ import annotations

import array
import math
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

FONT = Path(__file__).resolve().parents[2] / "static" / "fonts" / "ipaex" / "ipaexm.ttf"
INK = (33, 37, 41)
ACCENT = (0, 84, 147)
PAPER = (250, 250, 247)


@dataclass(frozen=True)
class Slide:
    heading: str
    lines: tuple[str, ...]
    captions_ja: tuple[str, ...]  # one cue each, spread over the slide's time
    captions_en: tuple[str, ...]


def draw_slide(slide: Slide, number: int, total: int, size: tuple[int, int]) -> Image.Image:
    width, height = size
    scale = width / 1280
    image = Image.new("RGB", size, PAPER)
    draw = ImageDraw.Draw(image)
    heading = ImageFont.truetype(str(FONT), max(10, int(54 * scale)))
    body = ImageFont.truetype(str(FONT), max(8, int(40 * scale)))
    small = ImageFont.truetype(str(FONT), max(6, int(24 * scale)))
    draw.rectangle((0, 0, width, int(14 * scale)), fill=ACCENT)
    draw.text((int(80 * scale), int(90 * scale)), slide.heading, font=heading, fill=ACCENT)
    y = int(220 * scale)
    for line in slide.lines:
        draw.text((int(100 * scale), y), line, font=body, fill=INK)
        y += int(78 * scale)
    draw.text((width - int(160 * scale), height - int(60 * scale)), f"{number} / {total}", font=small, fill=INK)
    return image


def encode(path: Path, frames: list[Image.Image], seconds_per_frame: float, fps: int = 15,
           chime: bool = True, container: str = "mp4", index_first: bool = True) -> None:
    """One still per slide, held for `seconds_per_frame`; a short chime at each slide change.

    MP4 is H.264 (yuv420p) with AAC and its index at the front (faststart), so playback starts before
    the whole file has arrived; WebM is VP9 with Opus.
    """
    options = {"movflags": "+faststart"} if container == "mp4" and index_first else {}
    with av.open(str(path), mode="w", format=container, options=options) as output:
        video = output.add_stream("libx264" if container == "mp4" else "libvpx-vp9", rate=fps)
        video.width, video.height = frames[0].size
        video.pix_fmt = "yuv420p"
        if container == "mp4":
            video.options = {"crf": "30", "preset": "veryslow", "tune": "stillimage", "g": str(fps * 2)}
        else:
            video.options = {"crf": "40", "b:v": "0", "g": str(fps * 2)}
        audio = output.add_stream("aac" if container == "mp4" else "libopus", rate=48000)
        audio.layout = "mono"
        per_frame = round(seconds_per_frame * fps)
        for index, image in enumerate(frames):
            for repeat in range(per_frame):
                frame = av.VideoFrame.from_image(image)
                frame.pts = index * per_frame + repeat
                frame.time_base = Fraction(1, fps)
                for packet in video.encode(frame):
                    output.mux(packet)
        for packet in video.encode():
            output.mux(packet)
        _write_audio(output, audio, len(frames) * seconds_per_frame, seconds_per_frame if chime else None)


def _write_audio(output: av.container.OutputContainer, audio: av.AudioStream, seconds: float,
                 chime_every: float | None) -> None:
    rate = 48000
    samples = array.array("f", bytes(4 * int(seconds * rate)))
    if chime_every:
        chime = [0.15 * math.sin(2 * math.pi * 880 * t / rate) * math.exp(-9 * t / rate)
                 for t in range(int(0.35 * rate))]
        start = 0.0
        while start < seconds:
            at = int(start * rate)
            for offset, value in enumerate(chime[: len(samples) - at]):
                samples[at + offset] = value
            start += chime_every
    block = 1024 if audio.codec_context.name == "aac" else 960
    for offset in range(0, len(samples), block):
        chunk = samples[offset:offset + block]
        chunk.extend([0.0] * (block - len(chunk)))
        frame = av.AudioFrame(format="flt", layout="mono", samples=block)
        frame.planes[0].update(chunk.tobytes())
        frame.sample_rate = rate
        frame.pts = offset
        for packet in audio.encode(frame):
            output.mux(packet)
    for packet in audio.encode():
        output.mux(packet)


def captions(slides: list[Slide], seconds_per_slide: float, language: str) -> str:
    lines = ["WEBVTT", ""]
    for index, slide in enumerate(slides):
        cues = slide.captions_ja if language == "ja" else slide.captions_en
        share = seconds_per_slide / len(cues)
        for number, text in enumerate(cues):
            start = index * seconds_per_slide + number * share
            end = start + share - 0.1
            lines += [f"{index + 1}-{number + 1}", f"{_timestamp(start)} --> {_timestamp(end)}", text, ""]
    return "\n".join(lines)


def _timestamp(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    return f"{hours:02d}:{minutes:02d}:{millis // 1000:02d}.{millis % 1000:03d}"


def make_test_video(path: Path, seconds: float = 2.0, size: tuple[int, int] = (160, 90),
                    container: str = "mp4", index_first: bool = True) -> None:
    """A small real video for tests: two plain slides, with sound."""
    slide = Slide("テスト", ("動画",), ("字幕",), ("Caption",))
    frames = [draw_slide(slide, n, 2, size) for n in (1, 2)]
    encode(path, frames, seconds / 2, fps=10, container=container, index_first=index_first)


def main() -> None:
    from elearn.demo.video_lesson import SECONDS_PER_SLIDE, SLIDES

    folder = Path(__file__).resolve().parents[2] / "courses" / "security-basics" / "media"
    folder.mkdir(exist_ok=True)
    frames = [draw_slide(slide, n, len(SLIDES), (1280, 720)) for n, slide in enumerate(SLIDES, start=1)]
    encode(folder / "suspicious-mail.mp4", frames, SECONDS_PER_SLIDE)
    frames[0].resize((640, 360)).save(folder / "suspicious-mail.jpg", quality=85)
    for language in ("ja", "en"):
        (folder / f"suspicious-mail.{language}.vtt").write_text(captions(list(SLIDES), SECONDS_PER_SLIDE, language),
                                                                 encoding="utf-8")
    print(f"wrote {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
