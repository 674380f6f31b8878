"""`elearn content sync` (courses and banks into the database) and `elearn import-quiz` (a Moodle GIFT file ->
quizzes/<bank>.yaml; it writes files only: no app, no database)."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path

import click
from flask.cli import with_appcontext

from elearn.cli.schema import needs_current_schema
from elearn.config import PROJECT_ROOT
from elearn.content.bank_writer import bank_yaml
from elearn.content.banks import load_bank
from elearn.content.fields import SLUG
from elearn.content.gift import GiftError, decode_gift, parse_gift
from elearn.content.source import SourceError
from elearn.domain.quiz import QuestionKind


@click.group("content", help="Courses and quiz banks (the files under courses/ and quizzes/).")
def content_group() -> None:
    pass


@content_group.command("sync", help="Validate all content and update the database; an invalid tree changes nothing.")
@click.option("--check", is_flag=True, help="Only validate; change nothing.")
@with_appcontext
@needs_current_schema
def content_sync(check: bool) -> None:
    from elearn.content.loader import ContentInvalid, load_content
    from elearn.services.files.stores import library_store
    from elearn.services.learning import content

    root = content.content_root()
    try:
        tree = load_content(root, thorough_media=True, library=library_store())
    except ContentInvalid as invalid:
        for error in invalid.errors:
            click.echo(error.shown_from(root), err=True)
        raise click.ClickException(f"{len(invalid.errors)} content error(s): nothing was changed") from None
    questions = sum(len(bank.questions) for bank in tree.banks.values())
    click.echo(f"valid: {len(tree.courses)} course(s), {len(tree.banks)} bank(s), {questions} question(s)")
    if check:
        return
    try:
        report = content.sync(tree)
    except content.SyncRefused as refused:
        raise click.ClickException(f"{refused}: nothing was changed") from None
    for label, items in vars(report).items():
        click.echo(f"{label}: {len(items)}" + (f" ({', '.join(items)})" if items and label != "unchanged" else ""))


@click.command("import-quiz")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bank", "slug", required=True, help="Bank slug: the file name and the courses' quiz.bank.")
@click.option("--title", help="Bank title (default: the GIFT file's name without its extension).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to write to (default: the project's quizzes/).")
@click.option("--force", is_flag=True,
              help="Replace an existing bank. Ids of untitled questions follow their position in the file.")
def import_quiz(file: Path, slug: str, title: str | None, out_dir: Path | None, force: bool) -> None:
    """Convert a Moodle GIFT file (UTF-8 or CP932) into quizzes/BANK.yaml, all or nothing.

    \b
    {=right ~wrong ~wrong}            single, 3-6 choices
    {~%50%a ~%50%b ~%-100%c}          multiple, 3-8 choices: the positive weights are the right choices;
                                      they must be equal and add up to 100%. Several right choices score
                                      partial, one scores all_or_nothing; zero and negative weights are
                                      wrong choices (elearn's partial scoring sets the penalty).
    {T} {TRUE} {F} {FALSE}            true_false (upper case only: {t} is a short answer, as in Moodle)
    {=answer =%100%other =%0%x}       short_answer (a 0% answer scores 0 like any answer not listed; it
                                      may not come before a right answer it overlaps, as Moodle would
                                      grade by it); `*` matches any characters, `\\*` is a literal *
    before {...} after                the question keeps a （　　） blank where the braces were
    ::Title::  $CATEGORY:             ASCII titles become ids (else q-001 by position); the last category's
                                      last part becomes a tag
    [html] [markdown]                 become the plain text they show: line breaks, list numbers and the
                                      indentation inside <pre> and code blocks are kept, markup is not

    \b
    The explanation is the general feedback (####), else the right answers' feedback, else
    "正解は「…」です。"; then every other answer's feedback, as 「…」を選んだ場合: … (a bank has no
    feedback per answer, so learners see all of it after answering). Matching, numerical, essay and
    description items, partial credit the bank format cannot express, images and choice counts outside
    the limits are reported by line.
    """
    if not SLUG.match(slug):
        raise click.ClickException(f"--bank must be lower-case letters, digits and hyphens, not {slug!r}")
    title = (title if title is not None else file.stem).strip()
    if not title:
        raise click.ClickException("--title must not be empty")
    try:
        data = file.read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {file}: {error.strerror}") from error
    try:
        questions, errors = parse_gift(decode_gift(data), slug)
    except GiftError as error:
        questions, errors = [], [error]
    for error in errors:
        click.echo(f"{file}:{error.line}: {error.message}", err=True)
    if errors:
        raise click.ClickException(f"{len(errors)} error(s) in {file}: nothing was written")
    target = (out_dir or PROJECT_ROOT / "quizzes") / f"{slug}.yaml"
    if target.exists() and not force:
        raise click.ClickException(f"{_shown(target)} already exists: use --force to replace it")
    text = bank_yaml(slug, title, questions)
    _check_loads(text, slug)
    _write_atomically(target, text)
    counts = Counter(q.kind for q in questions)
    by_kind = ", ".join(f"{kind.value}: {counts[kind]}" for kind in QuestionKind if counts[kind])
    click.echo(f"wrote {_shown(target)}: {len(questions)} questions ({by_kind})")


def _check_loads(text: str, slug: str) -> None:
    """Run the bank through load_bank first, so `content sync` can never meet a bank this command wrote."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{slug}.yaml"  # load_bank requires the file name to equal the slug
        path.write_text(text, encoding="utf-8")
        errors: list[SourceError] = []
        load_bank(path, errors)
    for error in errors:
        click.echo(f"generated {slug}.yaml:{error.line}: {error.message}", err=True)
    if errors:
        raise click.ClickException("the converted bank does not pass validation (an importer bug): nothing was written")


def _write_atomically(target: Path, text: str) -> None:
    # A bank half-written when the disk fills or the command is interrupted would break `content sync`.
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; the web server must be able to read the bank
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _shown(path: Path) -> str:
    """The path as the user thinks of it: quizzes/x.yaml inside the project, else as given."""
    try:
        return str(path.resolve().relative_to(PROJECT_ROOT))
    except ValueError:
        return str(path)
