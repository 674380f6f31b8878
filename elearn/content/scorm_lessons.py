"""A lesson's `scorm:` front matter: a package filed in the media library by `elearn scorm import`
(`package: <name>`), or one kept unpacked in the course folder (`folder: scorm/<name>`)."""

from __future__ import annotations

from pathlib import Path

import yaml

from elearn.content.fields import Fields
from elearn.content.model import ScormLesson
from elearn.content.scorm import MANIFEST, PackageProblem, Sco, read_manifest
from elearn.storage import FileStore

PACKAGE_FILE = "package.yaml"


def load_scorm(fields: Fields, course_folder: Path, library: FileStore | None) -> ScormLesson | None:
    raw = fields.sub_mapping("scorm")
    if raw is None:
        return None
    spec = Fields(raw, fields.path, fields.errors, {"package", "folder"})
    if ("package" in raw) == ("folder" in raw):
        spec.error("name either 'package' (in the media library) or 'folder' (in the course), one of them")
        return None
    if "folder" in raw:
        return _in_course(spec, course_folder)
    slug = spec.slug("package")
    if not slug:
        return None
    try:
        described = library.read_bytes(f"{slug}/{PACKAGE_FILE}") if library else None
    except FileNotFoundError:
        described = None
    if described is None:
        spec.error(f"no SCORM package {slug!r} in the media library (load it with `elearn scorm import`)",
                   key="package")
        return None
    package = yaml.safe_load(described.decode("utf-8"))
    items = tuple(Sco(**item) for item in package["scos"])
    return ScormLesson(package=slug, version=package["version"], title=package["title"], items=items, root=None)


def _in_course(spec: Fields, course_folder: Path) -> ScormLesson | None:
    relative = spec.text("folder")
    root = (course_folder / relative).resolve()
    if course_folder.resolve() not in root.parents or not (root / MANIFEST).is_file():
        spec.error(f"{relative!r} is not a folder of the course holding an imsmanifest.xml", key="folder")
        return None
    files = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    try:
        manifest = read_manifest((root / MANIFEST).read_bytes(), files)
    except PackageProblem as problem:
        spec.error(f"{relative}/{MANIFEST}: {problem}", key="folder")
        return None
    return ScormLesson(package=f"{course_folder.name}/{relative}", version=manifest.version, title=manifest.title,
                       items=manifest.scos, root=root)
