"""`elearn scorm import`: a package checked and filed in the media library, or refused keeping nothing."""

from __future__ import annotations

import zipfile
from pathlib import Path

from support import MANIFEST_12


def test_the_import_command_files_a_good_package_and_refuses_a_bad_one_keeping_nothing(app, tmp_path):
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("intro.html", "<p>intro</p>")
        archive.writestr("check/index.html", "<p>check</p>")
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("../escape.html", "x")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scorm", "import", str(good), "--name", "self-check"])
    assert result.exit_code == 0, result.output
    assert "SCORM 1.2, 'セキュリティ自己点検', 2 item(s)" in result.output and "[sco, mastery 80]" in result.output
    library = Path(app.instance_path) / "media-library"
    assert sorted(str(p.relative_to(library)) for p in library.rglob("*") if p.is_file()) == [
        "self-check/content/check/index.html", "self-check/content/imsmanifest.xml",
        "self-check/content/intro.html", "self-check/package.yaml"]
    refused = runner.invoke(args=["scorm", "import", str(bad), "--name", "escape"])
    assert refused.exit_code == 1 and "leading outside the package" in refused.output
    assert "nothing was stored" in refused.output and not (library / "escape").exists()
    assert not list(library.glob(".*"))
    again = runner.invoke(args=["scorm", "import", str(good), "--name", "self-check"])
    assert again.exit_code == 1 and "already has 'self-check'" in again.output


def test_import_with_a_course_writes_a_course_without_a_quiz_that_syncs(make_app, tmp_path):
    import shutil

    from support import SAMPLE_CONTENT

    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    app = make_app(CONTENT_ROOT=str(root))
    good = tmp_path / "good.zip"
    with zipfile.ZipFile(good, "w") as archive:
        archive.writestr("imsmanifest.xml", MANIFEST_12)
        archive.writestr("intro.html", "<p>intro</p>")
        archive.writestr("check/index.html", "<p>check</p>")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["scorm", "import", str(good), "--name", "self-check", "--course", "bought"])
    assert result.exit_code == 0, result.output
    assert "wrote courses/bought/course.md" in result.output
    assert "wrote courses/bought/01-self-check.md" in result.output
    sync = runner.invoke(args=["content", "sync"])
    assert sync.exit_code == 0 and "bought" in sync.output, sync.output
