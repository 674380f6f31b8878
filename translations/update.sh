#!/usr/bin/env bash
# Re-extract the UI strings, merge them into every catalog under translations/,
# and list the Japanese msgids that still need a translation.
#
# Usage (from anywhere): translations/update.sh
# Then translate what it prints in translations/ja/LC_MESSAGES/messages.po and run
#   .venv/bin/pybabel compile -d translations --statistics
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYBABEL=.venv/bin/pybabel
PYTHON=.venv/bin/python

"$PYBABEL" extract -F babel.cfg -k _l -o translations/messages.pot --no-location --sort-output .
"$PYBABEL" update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

"$PYTHON" - <<'PY'
import sys

from babel.messages.pofile import read_po

path = "translations/ja/LC_MESSAGES/messages.po"
with open(path, "rb") as handle:
    catalog = read_po(handle)


def untranslated(message):
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return message.fuzzy or not all(strings)


todo = [message.id for message in catalog if message.id and untranslated(message)]
if not todo:
    print(f"{path}: every message is translated.")
    sys.exit(0)
print(f"{path}: {len(todo)} message(s) need a Japanese translation:")
for msgid in todo:
    print(f"  {msgid!r}")
PY
