"""Form pieces the blueprints share."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget


def checkboxes(label, **kwargs) -> SelectMultipleField:  # type: ignore[no-untyped-def]
    """A multiple choice shown as a list of checkboxes, each labelled after its box."""
    return SelectMultipleField(label, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(), **kwargs)
