"""A lesson's `video:` front matter: the file, its caption tracks and poster, each checked on load."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import yaml

from elearn.content.fields import Fields
from elearn.content.media import CONTAINERS, EXTENSION_OF, MediaProblem, parse_captions, probe_video, read_captions
from elearn.content.model import CaptionTrack, Video
from elearn.content.source import SourceError
from elearn.storage import FileStore

VIDEO_KEYS = {"file", "poster", "captions", "library"}
LIBRARY_MANIFEST = "video.yaml"
CAPTION_LANGUAGES = ("ja", "en")  # Japanese is required: every lesson must be followable without sound
POSTER_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def load_video(fields: Fields, folder: Path, thorough: bool, library: Path | None = None) -> Video | None:
    """The lesson's video, or None with its problems in `fields.errors`."""
    raw = fields.sub_mapping("video")
    if raw is None:
        return None
    spec = Fields(raw, fields.path, fields.errors, VIDEO_KEYS)
    if "library" in raw:
        return _library_video(spec, raw, library, thorough)
    before = len(fields.errors)
    file = _file_in(spec, "file", folder)
    poster = _file_in(spec, "poster", folder, required=False)
    if poster and Path(poster).suffix.lower() not in POSTER_SUFFIXES:
        spec.error(f"the poster must be a JPEG, PNG or WebP image, not {poster!r}", key="poster")
    tracks = spec.sub_mapping("captions", required=False)
    if tracks is None:
        spec.error("'captions' is required: a Japanese WebVTT track at least, e.g. captions: {ja: media/x.ja.vtt}",
                   key="captions" if "captions" in raw else None)
        return None
    languages = Fields(tracks, fields.path, fields.errors, set(CAPTION_LANGUAGES))
    caption_files = {language: _file_in(languages, language, folder, required=language == "ja")
                     for language in CAPTION_LANGUAGES}
    if not file or len(fields.errors) > before:
        return None
    try:
        facts = probe_video(folder / file, thorough=thorough)
    except MediaProblem as problem:
        spec.error(f"{file}: {problem}", key="file")
        return None
    if Path(file).suffix.lower() != EXTENSION_OF[facts.container]:
        spec.error(f"{file} holds {facts.container.upper()} video: name it {EXTENSION_OF[facts.container]}",
                   key="file")
    captions = []
    for language, caption_file in caption_files.items():
        if not caption_file:
            continue
        if not caption_file.lower().endswith(".vtt"):
            languages.error(f"captions must be WebVTT (.vtt), not {caption_file!r}", key=language)
            continue
        try:
            cues = read_captions(folder / caption_file, facts.duration)
        except MediaProblem as problem:
            fields.errors.append(SourceError(folder / caption_file, problem.line, str(problem)))
            continue
        captions.append(CaptionTrack(language, caption_file, cues))
    if len(fields.errors) > before:
        return None
    return Video(file=file, mime_type=facts.mime_type, duration=facts.duration, width=facts.width,
                 height=facts.height, captions=tuple(captions), poster=poster or None)


def _library_video(spec: Fields, raw: dict, library: FileStore | None, thorough: bool) -> Video | None:
    """A video uploaded on the web: the worker checked its files and wrote their facts in the library's
    `slug/video.yaml`, so loading reads that manifest and the captions, never the video itself."""
    slug = spec.slug("library")
    if set(raw) & {"file", "poster", "captions"}:
        spec.error("a library video names only 'library': its files and captions come with it", key="library")
        return None
    if not slug:
        return None
    try:
        text = library.read_bytes(f"{slug}/{LIBRARY_MANIFEST}").decode("utf-8") if library else None
    except FileNotFoundError:
        text = None
    if text is None:
        spec.error(f"no video {slug!r} in the media library (upload it under 動画・教材ライブラリ first)",
                   key="library")
        return None
    manifest = yaml.safe_load(text)
    folder = library.local_path(slug)
    if "duration" not in manifest or (thorough and folder is not None):
        # Filed before the manifest kept the facts, or a full check (`content sync`) of files on this disk.
        if folder is None:
            spec.error(f"the media library's {slug}/{LIBRARY_MANIFEST} lacks the video's facts: upload it again",
                       key="library")
            return None
        listed = Fields({"file": manifest.get("file"), "poster": manifest.get("poster"),
                         "captions": manifest.get("captions")}, folder / LIBRARY_MANIFEST, spec.errors, VIDEO_KEYS)
        video = load_video(Fields({"video": listed.mapping}, folder / LIBRARY_MANIFEST, spec.errors, {"video"}),
                           folder, thorough)
    else:
        video = _from_manifest(spec, slug, manifest, library)
    return replace(video, library=slug, library_version=str(manifest.get("upload", ""))) if video else None


def _from_manifest(spec: Fields, slug: str, manifest: dict, library: FileStore) -> Video | None:
    try:
        duration, container = float(manifest["duration"]), manifest["container"]
        captions = []
        for language, name in (manifest.get("captions") or {}).items():
            text = library.read_bytes(f"{slug}/{name}").decode("utf-8-sig")
            captions.append(CaptionTrack(language, name, parse_captions(text, duration)))
        captions.sort(key=lambda track: CAPTION_LANGUAGES.index(track.language))
        if not captions or captions[0].language != "ja":
            raise ValueError("no Japanese captions")
        return Video(file=manifest["file"], mime_type=CONTAINERS[container][3], duration=duration,
                     width=int(manifest["width"]), height=int(manifest["height"]), captions=tuple(captions),
                     poster=manifest.get("poster"))
    except (KeyError, TypeError, ValueError, FileNotFoundError, MediaProblem) as problem:
        spec.error(f"the media library's {slug}/{LIBRARY_MANIFEST} is damaged ({problem}): upload the video again",
                   key="library")
        return None


def minutes_of(video: Video) -> int:
    return max(1, math.ceil(video.duration / 60))


def _file_in(spec: Fields, key: str, folder: Path, required: bool = True) -> str:
    """A relative path to a file inside the course folder."""
    value = spec.text(key, required=required)
    if not value:
        return ""
    resolved = (folder / value).resolve()
    if folder.resolve() not in resolved.parents or not resolved.is_file() or (folder / value).is_symlink():
        spec.error(f"{value!r} is not a file in {folder.name}/", key=key)
        return ""
    return value
