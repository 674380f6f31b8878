"""Safe names for files inside an archive (a ZIP of certificates): names come from staff records, and
an archive tool must never read one as a path that climbs out of the folder it extracts into."""

from __future__ import annotations

import re
import unicodedata

# Reserved on Windows (besides the slashes): a name holding one cannot be extracted there.
_UNSAFE = re.compile(r'[/\\<>:"|?*]')
_DOTS = re.compile(r"\.{2,}")
_SPACES = re.compile(" {2,}")
# Device names Windows reserves whatever the extension (CON, CON.txt ...).
_DEVICES = re.compile(r"(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³])(?:\..*)?", re.IGNORECASE)
MAX_LENGTH = 60  # characters; 3 bytes each in UTF-8 for Japanese, well under the usual 255-byte limit


def safe_member_name(text: str, max_length: int = MAX_LENGTH) -> str:
    """One path component made safe: NFC (Japanese kept as typed, never NFKC), no control or format
    characters, no slash, backslash or character Windows reserves, no `..`, no leading dot or space,
    no trailing dot or space, no device name, at most `max_length` characters, never empty."""
    text = unicodedata.normalize("NFC", text)
    # Cc: control characters (NUL, CR, LF, ESC ...); Cf: invisible format characters such as the
    # right-to-left override that makes "fdp.exe" look like "exe.pdf".
    text = "".join(" " if unicodedata.category(character) in ("Cc", "Cf", "Zl", "Zp") else character
                   for character in text)
    text = _DOTS.sub(".", _UNSAFE.sub("_", text))
    text = _SPACES.sub(" ", text)  # control characters became spaces; the full-width space stays
    text = text[:max_length].strip(" .")
    if _DEVICES.fullmatch(text):
        text = "_" + text
    return text or "_"
