"""courses/<slug>/workshop.md -> Workshop: the assignment a learner submits and a reviewer accepts before the
course completes (courses/README.md, "A workshop assignment")."""

from __future__ import annotations

from pathlib import Path

from elearn.content import markdown
from elearn.content.fields import Fields
from elearn.content.model import Workshop
from elearn.content.source import SourceError, split_front_matter
from elearn.domain.documents import DocumentRefused, checked_type

WORKSHOP_FILE = "workshop.md"
TEMPLATE_TYPES = ("xlsx", "docx", "pptx", "pdf")


def load_workshop(folder: Path, errors: list[SourceError], asset_base: str) -> Workshop | None:
    path = folder / WORKSHOP_FILE
    if not path.is_file():
        return None
    before = len(errors)
    try:
        front, body, _body_line = split_front_matter(path)
    except SourceError as error:
        errors.append(error)
        return None
    fields = Fields(front, path, errors, {"title", "minutes", "template"})
    title = fields.text("title")
    minutes = fields.integer("minutes", minimum=5, maximum=480, required=True, default=5) or 5
    template = fields.text("template", required=False) or None
    if template:
        _check_template(fields, folder, template)
    if not body.strip():
        fields.error("the workshop needs instructions below its front matter")
    if len(errors) > before:
        return None
    return Workshop(title=title, minutes=minutes, html=markdown.render(body, asset_base), template=template,
                    path=path)


def _check_template(fields: Fields, folder: Path, template: str) -> None:
    resolved = (folder / template).resolve()
    if folder.resolve() not in resolved.parents or not resolved.is_file():
        fields.error(f"template {template!r} is not a file in {folder.name}/", key="template")
        return
    if resolved.suffix.lower().lstrip(".") not in TEMPLATE_TYPES:
        fields.error(f"template {template!r} must be one of {', '.join(TEMPLATE_TYPES)}", key="template")
        return
    try:
        checked_type(resolved.read_bytes(), resolved.name)
    except DocumentRefused as refused:
        fields.error(f"template {template!r} is refused: {refused} (macros, damage and size are checked as for "
                     "uploads)", key="template")
