"""SCORM packages (1.2 and 2004): the zip checked before a byte is unpacked, the manifest read safely.

A package is content from another provider: hostile until checked. The zip may name paths outside the
package (`../`, absolute, drive letters), hold links, or promise little and unpack to gigabytes; the
manifest may declare entities (the "billion laughs" or an external file read). Each is refused with a
reason, and unpacking counts what it really writes, so a zip that lies in its headers is stopped too.
"""

from __future__ import annotations

import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as SafeTree
from defusedxml import DefusedXmlException

MAX_FILES = 10_000
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
# Text compresses up to about 10:1, images and video hardly at all; a member packed tighter than this is a bomb.
MAX_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024  # small files may compress well without harm
MANIFEST = "imsmanifest.xml"
_DRIVE = re.compile(r"^[A-Za-z]:")


class PackageProblem(ValueError):
    pass


@dataclass(frozen=True)
class Sco:
    identifier: str
    title: str
    launch: str  # path inside the package, with the item's parameters
    is_sco: bool  # False for an asset: it never talks to the API and counts as done once opened
    mastery_score: float | None = None  # 0-100 (1.2 masteryscore) or 0-1 scaled (2004), as the manifest says


@dataclass(frozen=True)
class Manifest:
    version: str  # "1.2" or "2004"
    title: str
    scos: tuple[Sco, ...]  # in the default organisation's order


def check_zip(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The members to unpack, or PackageProblem: unsafe names, links, too many files, bombs."""
    members = archive.infolist()
    if len(members) > MAX_FILES:
        raise PackageProblem(f"the zip holds {len(members)} files; at most {MAX_FILES} are allowed")
    total = 0
    for member in members:
        name = member.filename
        if "\\" in name or name.startswith("/") or _DRIVE.match(name) or "\x00" in name:
            raise PackageProblem(f"{name!r}: an absolute or Windows path is not allowed in a package")
        if any(part == ".." for part in PurePosixPath(name).parts):
            raise PackageProblem(f"{name!r}: a path leading outside the package ('..') is not allowed")
        kind = stat.S_IFMT(member.external_attr >> 16)
        if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
            raise PackageProblem(f"{name!r}: links and special files are not allowed in a package")
        if member.flag_bits & 0x1:
            raise PackageProblem(f"{name!r}: encrypted files cannot be checked")
        total += member.file_size
        if member.file_size > RATIO_CHECK_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise PackageProblem(f"{name!r} would unpack to {member.file_size} bytes from {member.compress_size}: "
                                 "a zip bomb")
    if total > MAX_UNPACKED_BYTES:
        raise PackageProblem(f"the package would unpack to {total // (1024 * 1024)} MB; at most "
                             f"{MAX_UNPACKED_BYTES // (1024 * 1024)} MB are allowed")
    names = {member.filename for member in members}
    if MANIFEST not in names:
        raise PackageProblem("imsmanifest.xml is missing at the root of the zip (zip the package's contents, "
                             "not the folder that holds them)")
    return [member for member in members if not member.is_dir()]


def unpack(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path) -> None:
    """Write the checked members under `target`, counting real bytes against the limits as they come."""
    written = 0
    root = target.resolve()
    for member in members:
        path = (target / member.filename).resolve()
        if root not in path.parents:
            raise PackageProblem(f"{member.filename!r}: a path leading outside the package is not allowed")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            with archive.open(member) as source, path.open("wb") as out:
                member_bytes = 0
                while chunk := source.read(1 << 16):
                    member_bytes += len(chunk)
                    written += len(chunk)
                    if member_bytes > member.file_size or written > MAX_UNPACKED_BYTES:
                        raise PackageProblem(f"{member.filename!r} unpacks to more than its zip entry says: "
                                             "a zip bomb")
                    out.write(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            # zipfile stops at the size the entry declares; the checksum then tells the lie.
            raise PackageProblem(f"{member.filename!r}: the zip is damaged or lies about its sizes ({error})") \
                from None


def read_manifest(data: bytes, files: set[str]) -> Manifest:
    """The package's version, title and launchable items; `files` are the package's paths, to check links."""
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as refused:
        raise PackageProblem(f"imsmanifest.xml declares a DTD or entities, which are not allowed ({refused})") \
            from None
    except SafeTree.ParseError as error:
        raise PackageProblem(f"imsmanifest.xml is not well-formed XML ({error})") from None
    if _local(root.tag) != "manifest":
        raise PackageProblem("imsmanifest.xml does not start with <manifest>")
    version = _version(root)
    organisations = _child(root, "organizations")
    if organisations is None or not _children(organisations, "organization"):
        raise PackageProblem("imsmanifest.xml has no <organization>: nothing to launch")
    default = organisations.get("default")
    organisation = next((o for o in _children(organisations, "organization") if o.get("identifier") == default),
                        _children(organisations, "organization")[0])
    resources = _resources(root)
    scos = []
    for item in organisation.iter():
        if _local(item.tag) != "item" or not item.get("identifierref"):
            continue
        resource = resources.get(item.get("identifierref"))
        if resource is None:
            raise PackageProblem(f"item {item.get('identifier')!r} names resource {item.get('identifierref')!r}, "
                                 "which the manifest does not have")
        href, base, kind = resource
        launch_path = posixpath.normpath(posixpath.join(base, href.split("?")[0]))
        if launch_path not in files:
            raise PackageProblem(f"item {item.get('identifier')!r} launches {launch_path!r}, which is not in the zip")
        scos.append(Sco(identifier=item.get("identifier", ""), title=_text(_child(item, "title")) or launch_path,
                        launch=posixpath.join(base, href) + (item.get("parameters") or ""),
                        is_sco=kind == "sco", mastery_score=_mastery(item, version)))
    if not scos:
        raise PackageProblem("the default organisation has no item that launches anything")
    title = _text(_child(organisation, "title")) or scos[0].title
    return Manifest(version=version, title=title, scos=tuple(scos))


def _version(root) -> str:  # type: ignore[no-untyped-def]
    metadata = _child(root, "metadata")
    declared = _text(_child(metadata, "schemaversion")) if metadata is not None else ""
    namespaces = " ".join(str(value) for value in root.attrib.values()) + root.tag
    if declared.startswith("1.2") or "adlcp_rootv1p2" in namespaces:
        return "1.2"
    if declared.startswith("2004") or declared.startswith("CAM 1.3") or "adlcp_v1p3" in namespaces:
        return "2004"
    raise PackageProblem(f"not a SCORM 1.2 or 2004 package (schemaversion {declared!r})")


def _resources(root) -> dict[str, tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    """identifier -> (href, base folder, scormType) of every resource with an href."""
    found = {}
    base_of_manifest = root.get("{http://www.w3.org/XML/1998/namespace}base", "")
    holder = _child(root, "resources")
    if holder is None:
        return found
    holder_base = holder.get("{http://www.w3.org/XML/1998/namespace}base", "")
    for resource in _children(holder, "resource"):
        href = resource.get("href")
        if not href:
            continue
        if re.match(r"^[a-z][a-z0-9+.-]*:", href, re.IGNORECASE) or href.startswith("/"):
            raise PackageProblem(f"resource {resource.get('identifier')!r} launches {href!r}, outside the package")
        base = posixpath.join(base_of_manifest, holder_base,
                              resource.get("{http://www.w3.org/XML/1998/namespace}base", ""))
        kind = next((value for key, value in resource.attrib.items() if _local(key).lower() == "scormtype"), "sco")
        found[resource.get("identifier", "")] = (href, base, kind.lower())
    return found


def _mastery(item, version: str) -> float | None:  # type: ignore[no-untyped-def]
    if version == "1.2":
        text = _text(next((e for e in item if _local(e.tag) == "masteryscore"), None))
        return float(text) if re.fullmatch(r"\d+(\.\d+)?", text) else None
    for element in item.iter():
        if _local(element.tag) == "primaryObjective" and element.get("satisfiedByMeasure") == "true":
            measure = next((e for e in element if _local(e.tag) == "minNormalizedMeasure"), None)
            text = _text(measure)
            return float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element, name: str):  # type: ignore[no-untyped-def]
    return next((child for child in element if _local(child.tag) == name), None) if element is not None else None


def _children(element, name: str) -> list:  # type: ignore[no-untyped-def]
    return [child for child in element if _local(child.tag) == name]


def _text(element) -> str:  # type: ignore[no-untyped-def]
    return (element.text or "").strip() if element is not None else ""
