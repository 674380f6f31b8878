"""SCORM packages in the media library: checked, unpacked and filed in one rename, or refused keeping nothing.

The library folder of a package holds its files as the zip had them and `package.yaml`, the manifest as read
(version, title, items in order), so nothing reads the provider's XML again.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import asdict
from pathlib import Path

import yaml

from elearn.content.scorm import MANIFEST, Manifest, PackageProblem, check_zip, read_manifest, unpack
from elearn.content.scorm_lessons import PACKAGE_FILE
from elearn.services.media import library_root


def import_package(archive_path: Path, slug: str) -> Manifest:
    """Check and file the zip as library folder `slug`; PackageProblem says why not, and nothing is kept."""
    target = library_root() / slug
    if target.exists():
        raise PackageProblem(f"the library already has {slug!r}")
    building = library_root() / f".{slug}.partial"
    shutil.rmtree(building, ignore_errors=True)
    try:
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
        building.rename(target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    return manifest
