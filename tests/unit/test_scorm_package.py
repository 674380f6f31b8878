"""SCORM packages: hostile zips and manifests refused before anything is unpacked; good ones read."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from support import MANIFEST_12

from elearn.content.scorm import PackageProblem, check_zip, read_manifest, unpack

MANIFEST_2004 = """<?xml version="1.0" standalone="no"?>
<manifest identifier="m" xmlns="http://www.imsglobal.org/xsd/imscp_v1p1"
          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3" xmlns:imsss="http://www.imsglobal.org/xsd/imsss">
  <metadata><schema>ADL SCORM</schema><schemaversion>2004 4th Edition</schemaversion></metadata>
  <organizations default="o">
    <organization identifier="o"><title>Course</title>
      <item identifier="a"><title>Module</title>
        <item identifier="a1" identifierref="ra"><title>One</title>
          <imsss:sequencing><imsss:objectives>
            <imsss:primaryObjective objectiveID="p" satisfiedByMeasure="true">
              <imsss:minNormalizedMeasure>0.6</imsss:minNormalizedMeasure>
            </imsss:primaryObjective>
          </imsss:objectives></imsss:sequencing>
        </item>
      </item>
      <item identifier="b" identifierref="rb"><title>Two</title></item>
    </organization>
  </organizations>
  <resources xml:base="content/">
    <resource identifier="ra" type="webcontent" adlcp:scormType="sco" href="one.html"/>
    <resource identifier="rb" type="webcontent" adlcp:scormType="sco" href="two.html" xml:base="b/"/>
  </resources>
</manifest>"""


def build_zip(members: dict[str, bytes | str], links: tuple[str, ...] = ()) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    buffer.seek(0)
    return zipfile.ZipFile(buffer)


def test_a_scorm_12_package_lists_its_items_in_order_with_the_mastery_score():
    manifest = read_manifest(MANIFEST_12.encode(), {"intro.html", "check/index.html"})
    assert (manifest.version, manifest.title) == ("1.2", "セキュリティ自己点検")
    assert [(s.identifier, s.title, s.launch, s.is_sco, s.mastery_score) for s in manifest.scos] == [
        ("i1", "はじめに", "intro.html", False, None), ("i2", "確認", "check/index.html?part=2", True, 80.0)]


def test_a_scorm_2004_package_follows_nested_items_and_xml_base():
    manifest = read_manifest(MANIFEST_2004.encode(), {"content/one.html", "content/b/two.html"})
    assert manifest.version == "2004"
    assert [(s.identifier, s.launch, s.mastery_score) for s in manifest.scos] == [
        ("a1", "content/one.html", 0.6), ("b", "content/b/two.html", None)]


@pytest.mark.parametrize(("manifest", "words"), [
    ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><manifest>&x;</manifest>',
     "DTD or entities"),
    ('<?xml version="1.0"?><!DOCTYPE m [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><manifest>&b;</manifest>',
     "DTD or entities"),
    ("<manifest><organizations>", "not well-formed"),
    (MANIFEST_12.replace("1.2</schemaversion>", "9</schemaversion>").replace("adlcp_rootv1p2", "x"),
     "not a SCORM 1.2 or 2004 package"),
    (MANIFEST_12.replace('href="intro.html"', 'href="http://evil.example/x.js"'), "outside the package"),
])
def test_a_hostile_or_broken_manifest_is_refused(manifest, words):
    with pytest.raises(PackageProblem, match=words):
        read_manifest(manifest.encode(), {"intro.html", "check/index.html"})


def test_an_item_launching_a_missing_file_is_refused():
    with pytest.raises(PackageProblem, match="'check/index.html', which is not in the zip"):
        read_manifest(MANIFEST_12.encode(), {"intro.html"})


@pytest.mark.parametrize(("members", "links", "words"), [
    ({"imsmanifest.xml": MANIFEST_12, "../../etc/cron.d/x": "boom"}, (), "leading outside the package"),
    ({"imsmanifest.xml": MANIFEST_12, "/etc/passwd": "x"}, (), "absolute or Windows path"),
    ({"imsmanifest.xml": MANIFEST_12, "C:\\x.html": "x"}, (), "absolute or Windows path"),
    ({"imsmanifest.xml": MANIFEST_12}, ("intro.html",), "links and special files"),
    ({"imsmanifest.xml": MANIFEST_12, "big.bin": b"\0" * (20 * 1024 * 1024)}, (), "a zip bomb"),
    ({"package/imsmanifest.xml": MANIFEST_12}, (), "imsmanifest.xml is missing at the root"),
])
def test_a_hostile_zip_is_refused_before_anything_is_unpacked(tmp_path, members, links, words):
    with pytest.raises(PackageProblem, match=words):
        check_zip(build_zip(members, links))


def test_a_zip_lying_about_its_sizes_is_stopped_while_unpacking(tmp_path):
    archive = build_zip({"imsmanifest.xml": MANIFEST_12, "data.txt": "x" * 5000})
    members = check_zip(archive)
    next(m for m in members if m.filename == "data.txt").file_size = 10  # the header claims 10 bytes
    with pytest.raises(PackageProblem, match="lies about its sizes"):
        unpack(archive, members, tmp_path / "out")

