"""The media library: lesson videos uploaded on the web, checked and re-muxed by a worker, kept as files.

An upload is staged (its first bytes, captions and poster checked at once, so an obvious mistake is answered
in the same page), then the worker reads the whole video (`content.media.probe_video`), re-muxes it into a
clean file of the same codecs (no re-encoding; the index at the front, no metadata or extra tracks) and puts
the folder into the library whole, its manifest last (`elearn.storage`: local disk or an object store). A
refused upload leaves nothing but its row and reason.
"""

from __future__ import annotations

import io
import logging
import shutil
from pathlib import Path

import av
import yaml
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from elearn import db
from elearn.clock import utcnow
from elearn.content.media import (
    CONTAINERS,
    EXTENSION_OF,
    MAX_DURATION_SECONDS,
    MediaProblem,
    container_of,
    parse_captions,
    probe_video,
    read_captions,
)
from elearn.models import LibraryUpload, UploadState, User
from elearn.services import audit
from elearn.services.files.images import ImageRejected, open_upload
from elearn.services.files.stores import library_store, staging_store
from elearn.storage import StoreError

log = logging.getLogger(__name__)
MANIFEST = "video.yaml"
POSTER_MAX_BYTES = 10 * 1024 * 1024
POSTER_MAX_PIXELS = 4096 * 4096
CAPTIONS_MAX_BYTES = 2 * 1024 * 1024


class UploadRefused(ValueError):
    """Said to the uploader on the form; nothing was stored."""


def slug_in_use(slug: str) -> bool:
    """Taken by a video in the library or one being checked."""
    taken = db.session().scalar(select(LibraryUpload.id).where(
        LibraryUpload.slug == slug, LibraryUpload.state.in_([UploadState.CHECKING, UploadState.READY])).limit(1))
    return taken is not None or library_store().has_prefix(slug)


def stage(uploader: User, slug: str, title: str, video: FileStorage, captions_ja: FileStorage,
          captions_en: FileStorage | None, poster: FileStorage | None) -> LibraryUpload:
    """Keep the files for the worker and queue the check; UploadRefused for what can be told at once."""
    if slug_in_use(slug):
        raise UploadRefused(f"slug:{slug}")
    head = video.stream.read(64)
    video.stream.seek(0)
    container = container_of(head)
    if container is None:
        raise UploadRefused("not_a_video")
    captions = {"ja": _captions_text(captions_ja, "ja")}
    if captions_en is not None and captions_en.filename:
        captions["en"] = _captions_text(captions_en, "en")
    poster_image = None
    if poster is not None and poster.filename:
        try:
            poster_image = open_upload(poster.read(), POSTER_MAX_BYTES, POSTER_MAX_PIXELS).convert("RGB")
        except ImageRejected as rejected:
            raise UploadRefused(f"poster:{rejected.args[0]}") from None
    with db.write_session() as session:
        upload = LibraryUpload(slug=slug, title=title, original_name=(video.filename or "")[:255], size_bytes=0,
                             uploaded_by_id=uploader.id)
        session.add(upload)
        session.flush()
        staged, folder = staging_store(), str(upload.id)
        try:
            # streamed from werkzeug's spooled file
            upload.size_bytes = staged.put_stream(f"{folder}/video{EXTENSION_OF[container]}", video.stream)
            for language, text in captions.items():
                staged.put_stream(f"{folder}/{language}.vtt", io.BytesIO(text.encode("utf-8")))
            if poster_image is not None:
                jpeg = io.BytesIO()
                poster_image.save(jpeg, "JPEG", quality=85)
                jpeg.seek(0)
                staged.put_stream(f"{folder}/poster.jpg", jpeg)
        except BaseException:  # a full disk or a store gone away: keep nothing (the row rolls back too)
            staged.delete_prefix(folder)
            raise
        audit.record(session, uploader, "media.upload", f"library_upload:{upload.id}", slug=slug,
                     size=upload.size_bytes)
        upload_id = upload.id
    from elearn import jobs

    jobs.enqueue("check_video_upload", upload_id)
    return db.session().get(LibraryUpload, upload_id)


def _captions_text(upload: FileStorage, language: str) -> str:
    data = upload.read(CAPTIONS_MAX_BYTES + 1)
    if len(data) > CAPTIONS_MAX_BYTES:
        raise UploadRefused(f"captions_{language}:too large (over 2 MB)")
    try:
        text = data.decode("utf-8-sig")
        parse_captions(text, MAX_DURATION_SECONDS)  # cue ends are checked against the real length later
    except UnicodeDecodeError:
        raise UploadRefused(f"captions_{language}:captions must be UTF-8 text") from None
    except MediaProblem as problem:
        raise UploadRefused(f"captions_{language}:line {problem.line}: {problem}") from None
    return text


def check(upload_id: int) -> UploadState:
    """The worker's part: read, re-mux and file the upload, or refuse it and keep nothing."""
    upload = db.session().get(LibraryUpload, upload_id)
    if upload is None or upload.state != UploadState.CHECKING:
        return upload.state if upload else UploadState.REFUSED
    library = library_store()
    try:
        with staging_store().local_tree(str(upload_id)) as staged, library.building() as building:
            facts, files = _build(staged, building)
            # The facts go in the manifest: loading content then reads no video (from a bucket, above all).
            (building / MANIFEST).write_text(yaml.safe_dump(
                {"title": upload.title, "upload": upload_id, **files, "container": facts.container,
                 "duration": facts.duration, "width": facts.width, "height": facts.height},
                allow_unicode=True), encoding="utf-8")
            try:
                library.put_tree(building, upload.slug, last=MANIFEST)
            except FileExistsError:
                raise MediaProblem(f"the library already has {upload.slug!r}") from None
    except MediaProblem as problem:
        outcome = finish(upload_id, UploadState.REFUSED, str(problem))
    else:
        outcome = finish(upload_id, UploadState.READY, "", facts.duration)
    forget_staged(upload_id)
    return outcome


def forget_staged(upload_id: int) -> None:
    """The staged files, once the upload is filed or refused. Anything else that went wrong above (the store or
    the disk failing) leaves them for the queue's retry; one left here is logged, and the nightly sweep removes it
    (elearn.services.files.sweep)."""
    try:
        staging_store().delete_prefix(str(upload_id))
    except (OSError, StoreError):
        log.exception("staged upload %s left behind", upload_id)


def _build(staged: Path, building: Path):  # type: ignore[no-untyped-def]
    source = next((p for p in staged.glob("video.*")), None)
    if source is None:
        raise MediaProblem("the uploaded file is gone (the upload was interrupted)")
    facts = probe_video(source, thorough=True)
    captions = {}
    for language in ("ja", "en"):
        if (staged / f"{language}.vtt").is_file():
            try:
                read_captions(staged / f"{language}.vtt", facts.duration)
            except MediaProblem as problem:
                raise MediaProblem(f"{language} captions, line {problem.line}: {problem}") from None
            captions[language] = f"{language}.vtt"
    building.mkdir(parents=True)
    name = f"video{EXTENSION_OF[facts.container]}"
    remux(source, building / name, facts.container)
    probe_video(building / name)  # what is kept must itself be playable
    for language in captions:
        shutil.copyfile(staged / f"{language}.vtt", building / f"{language}.vtt")
    files: dict = {"file": name, "captions": captions}
    if (staged / "poster.jpg").is_file():
        shutil.copyfile(staged / "poster.jpg", building / "poster.jpg")
        files["poster"] = "poster.jpg"
    return facts, files


def remux(source: Path, target: Path, container: str) -> None:
    """The first video and audio tracks into a new file, packets copied as they are (no quality lost):
    other tracks, metadata and chapters stay behind; an MP4's index goes to the front so playing starts
    before the whole file has arrived."""
    demuxer = CONTAINERS[container][0]
    options = {"movflags": "+faststart"} if container == "mp4" else {}
    try:
        with av.open(str(source), format=demuxer) as original, \
                av.open(str(target), mode="w", format=container, options=options) as output:
            kept = [original.streams.video[0], *original.streams.audio[:1]]
            copies = {stream.index: output.add_stream_from_template(stream) for stream in kept}
            for packet in original.demux(*kept):
                if packet.dts is None:  # the demuxer's end-of-stream marker
                    continue
                packet.stream = copies[packet.stream.index]
                output.mux(packet)
    except av.FFmpegError as error:
        raise MediaProblem(f"the video could not be re-muxed ({error.strerror or error})") from error


def finish(upload_id: int, state: UploadState, reason: str, duration: float | None = None) -> UploadState:
    with db.write_session() as session:
        upload = session.get(LibraryUpload, upload_id)
        upload.state, upload.reason, upload.duration, upload.checked_at = state, reason[:1000], duration, utcnow()
        action = "media.ready" if state == UploadState.READY else "media.refused"
        audit.record(session, None, action, f"library_upload:{upload_id}", slug=upload.slug, reason=reason)
    return state


def uploads() -> list[LibraryUpload]:
    return list(db.session().scalars(select(LibraryUpload).order_by(LibraryUpload.uploaded_at.desc(),
                                                                  LibraryUpload.id.desc())))


def get(upload_id: int) -> LibraryUpload | None:
    return db.session().get(LibraryUpload, upload_id)
