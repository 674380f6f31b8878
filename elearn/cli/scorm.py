"""`elearn scorm import`: bulk-load SCORM packages bought from providers into the media library."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema


@click.group("scorm", help="SCORM 1.2 and 2004 packages.")
def scorm_group() -> None:
    pass


@scorm_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", "slug", required=True,
              help="The package's name in the library (lower-case letters, digits and hyphens).")
@click.option("--course", "course_slug",
              help="Also write a lesson naming it into courses/COURSE/ (a new course, without a quiz of ours, if "
                   "there is none), to sync with `elearn content sync`.")
@with_appcontext
@needs_current_schema
def import_package(file: Path, slug: str, course_slug: str | None) -> None:
    """Check FILE.zip (paths, links, size, zip bombs, the manifest) and file it; all or nothing."""
    from elearn.content.fields import SLUG
    from elearn.content.scorm import PackageProblem
    from elearn.services import scorm

    if not SLUG.match(slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens", param_hint="--name")
    if course_slug is not None and not SLUG.match(course_slug):
        raise click.BadParameter("use lower-case letters, digits and hyphens", param_hint="--course")
    try:
        manifest = scorm.import_package(file, slug)
    except PackageProblem as problem:
        raise click.ClickException(f"{file.name}: {problem}: nothing was stored") from None
    click.echo(f"imported {slug}: SCORM {manifest.version}, {manifest.title!r}, {len(manifest.scos)} item(s)")
    for number, sco in enumerate(manifest.scos, start=1):
        kind = "sco" if sco.is_sco else "asset"
        mastery = f", mastery {sco.mastery_score:g}" if sco.mastery_score is not None else ""
        click.echo(f"  {number}. {sco.title} [{kind}{mastery}] {sco.launch}")
    if course_slug:
        from elearn.services.learning import content
        from elearn.services.scorm import lesson_files

        written = lesson_files.add_lesson(content.content_root() / "courses" / course_slug, slug, manifest)
        for path in written:
            click.echo(f"wrote {path.relative_to(content.content_root())}")
        click.echo("check and publish it with `elearn content sync`")
