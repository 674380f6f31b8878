"""Which stored folders are orphans: the rules of elearn.services.files.sweep over plain listings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from elearn.services.files.sweep import first_parts, has_manifest, orphan_folders, staging_folder
from elearn.storage import StoredFile

NOW = datetime(2026, 12, 5, 3, 15, tzinfo=UTC)
OLD, YOUNG = NOW - timedelta(days=3), NOW - timedelta(hours=2)
CUTOFF = NOW - timedelta(days=1)


def stored(key: str, modified: datetime = OLD, size: int = 10) -> StoredFile:
    return StoredFile(key, size, "v", modified)


def test_a_library_folder_without_its_manifest_is_an_orphan_once_nothing_was_written_to_it_for_a_day():
    listing = [stored("talk/video.mp4", size=100), stored("talk/video.yaml"),  # whole: a video
               stored("quiz-game/content/index.html"), stored("quiz-game/package.yaml"),  # whole: a package
               stored("broken/video.mp4", size=300), stored("broken/ja.vtt", size=5),  # the put was cut short
               stored("putting/video.mp4"), stored("putting/en.vtt", YOUNG),  # still being put
               stored("stray-file-at-the-top")]  # no folder: left alone
    (orphan,) = orphan_folders("library", listing, first_parts(1), has_manifest, CUTOFF)
    assert (orphan.area, orphan.folder, orphan.files, orphan.size, orphan.newest) == ("library", "broken", 2, 305, OLD)


def test_a_manifest_counts_only_at_the_top_of_its_folder():
    listing = [stored("broken/content/video.yaml"), stored("broken/content/package.yaml")]
    assert [o.folder for o in orphan_folders("library", listing, first_parts(1), has_manifest, CUTOFF)] == ["broken"]


def test_staging_knows_upload_folders_and_import_files_and_nothing_else():
    assert staging_folder("17/video.mp4") == "17"
    assert staging_folder("imports/5-AbC_d/file.bin") == "imports/5-AbC_d"
    assert staging_folder("imports/file.bin") is None
    assert staging_folder("notes/readme.txt") is None and staging_folder("17") is None


def test_event_material_folders_are_three_parts_under_their_prefix():
    folder_of = first_parts(3, under="event-materials")
    assert folder_of("event-materials/4/ab12/file") == "event-materials/4/ab12"
    assert folder_of("event-materials/4/file") is None
    assert folder_of("other/4/ab12/file") is None


def test_an_owned_folder_is_never_an_orphan_however_old():
    listing = [stored("event-materials/4/ab12/file"), stored("event-materials/4/cd34/file")]
    orphans = orphan_folders("files", listing, first_parts(3, under="event-materials"),
                             lambda folder, _items: folder == "event-materials/4/ab12", CUTOFF)
    assert [orphan.folder for orphan in orphans] == ["event-materials/4/cd34"]
