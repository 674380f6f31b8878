"""Documents handed out with training (PDF and Office files): checked by content, not by name.

A PDF must start as one; an Office file must be the ZIP package its extension says (its main part
present), hold no macros, and not unpack to more than a limit (a ZIP bomb). Anything else is refused
with a reason the page words.
"""

from __future__ import annotations

import io
import zipfile

MAX_BYTES = 20 * 1024 * 1024
MAX_UNPACKED = 200 * 1024 * 1024
OFFICE_MAIN_PART = {
    "pptx": ("ppt/presentation.xml",
             "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
    "docx": ("word/document.xml", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": ("xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


class DocumentRefused(Exception):
    """str() is the reason code: size, type, macros, damaged."""


def checked_type(data: bytes, filename: str) -> str:
    """The content type to serve the file with, or DocumentRefused."""
    if len(data) > MAX_BYTES:
        raise DocumentRefused("size")
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "pdf":
        if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
            raise DocumentRefused("damaged")
        return "application/pdf"
    if extension not in OFFICE_MAIN_PART:
        raise DocumentRefused("type")
    main_part, content_type = OFFICE_MAIN_PART[extension]
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or main_part not in names:
                raise DocumentRefused("damaged")
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise DocumentRefused("macros")
            if sum(member.file_size for member in members) > MAX_UNPACKED:
                raise DocumentRefused("size")
    except zipfile.BadZipFile as error:
        raise DocumentRefused("damaged") from error
    return content_type
