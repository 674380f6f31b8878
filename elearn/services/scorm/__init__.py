"""SCORM packages in the media library: checked, unpacked and filed whole, or refused keeping nothing.

The library folder of a package holds its files as the zip had them and `package.yaml`, the manifest as read
(version, title, items in order), so nothing reads the provider's XML again.
"""

from __future__ import annotations

import zipfile
from dataclasses import asdict
from pathlib import Path

import yaml
from werkzeug.datastructures import FileStorage

from elearn import db
from elearn.content.scorm import MANIFEST, Manifest, PackageProblem, check_zip, read_manifest, unpack
from elearn.content.scorm_lessons import PACKAGE_FILE
from elearn.models import LibraryUpload, UploadKind, UploadState, User
from elearn.services import audit
from elearn.services.files.stores import library_store, staging_store
from elearn.services.media import UploadRefused, finish, forget_staged, slug_in_use

STAGED_ZIP = "package.zip"


def import_package(archive_path: Path, slug: str) -> Manifest:
    """Check and file the zip as library folder `slug`; PackageProblem says why not, and nothing is kept."""
    library = library_store()
    if library.has_prefix(slug):
        raise PackageProblem(f"the library already has {slug!r}")
    with library.building() as building:
        try:
            archive = zipfile.ZipFile(archive_path)
        except (zipfile.BadZipFile, OSError) as error:
            raise PackageProblem(f"not a zip file ({error})") from None
        with archive:
            members = check_zip(archive)
            manifest = read_manifest(archive.read(MANIFEST), {member.filename for member in members})
            building.mkdir(parents=True)
            unpack(archive, members, building / "content")
        (building / PACKAGE_FILE).write_text(yaml.safe_dump(asdict(manifest), allow_unicode=True, sort_keys=False),
                                             encoding="utf-8")
        try:
            library.put_tree(building, slug, last=PACKAGE_FILE)
        except FileExistsError:
            raise PackageProblem(f"the library already has {slug!r}") from None
    return manifest


def stage_upload(uploader: User, slug: str, archive: FileStorage) -> LibraryUpload:
    """Check the zip's listing and manifest at once (nothing unpacked: cheap), keep it for the worker to unpack;
    UploadRefused says what is wrong, and nothing is stored."""
    if slug_in_use(slug):
        raise UploadRefused(f"slug:{slug}")
    try:
        with zipfile.ZipFile(archive.stream) as listing:
            members = check_zip(listing)
            manifest = read_manifest(listing.read(MANIFEST), {member.filename for member in members})
    except zipfile.BadZipFile:
        raise UploadRefused("package:not a zip file") from None
    except PackageProblem as problem:
        raise UploadRefused(f"package:{problem}") from None
    archive.stream.seek(0)
    with db.write_session() as session:
        upload = LibraryUpload(kind=UploadKind.SCORM, slug=slug, title=manifest.title[:200],
                               original_name=(archive.filename or "")[:255], size_bytes=0,
                               uploaded_by_id=uploader.id)
        session.add(upload)
        session.flush()
        staged, folder = staging_store(), str(upload.id)
        try:
            upload.size_bytes = staged.put_stream(f"{folder}/{STAGED_ZIP}", archive.stream)
        except BaseException:  # a full disk, above all: keep no half-written zip (the row rolls back too)
            staged.delete_prefix(folder)
            raise
        audit.record(session, uploader, "media.upload", f"library_upload:{upload.id}", slug=slug, kind="scorm",
                     size=upload.size_bytes)
        upload_id = upload.id
    from elearn import jobs

    jobs.enqueue("import_scorm_upload", upload_id)
    return db.session().get(LibraryUpload, upload_id)


def import_upload(upload_id: int) -> UploadState:
    """The worker's part: unpack and file the staged package, or refuse it keeping nothing."""
    upload = db.session().get(LibraryUpload, upload_id)
    if upload is None or upload.state != UploadState.CHECKING:
        return upload.state if upload else UploadState.REFUSED
    try:
        with staging_store().local_tree(str(upload_id)) as folder:
            import_package(folder / STAGED_ZIP, upload.slug)
    except PackageProblem as problem:
        outcome = finish(upload_id, UploadState.REFUSED, str(problem))
    else:
        outcome = finish(upload_id, UploadState.READY, "")
    forget_staged(upload_id)
    return outcome
