"""Reading a panel's scene.

The content describes each panel in a few Japanese words (`Panel.scene`), and the drawing reads them:
who is in the panel, their mood and pose, and which background and props fit ("パソコン" brings a desk
and a monitor, "ホワイトボード" a board, "集中線" speed lines). The words are those the demo content uses;
an unknown scene still gets an office background and the speakers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from elearn.demo.magazine_script import Panel

_CHARACTERS = ("guide", "guest", "guest2")


def has_any(text: str, *words: str) -> bool:
    return any(word in text for word in words)


_MOODS = (
    ("surprised", ("驚", "はっと", "固ま", "慌て")),
    ("worried", ("困", "ため息", "不安", "心配", "考え込", "あきれ")),
    ("puzzled", ("首をかしげ",)),
    ("happy", ("笑顔", "にっこり", "わくわく", "ガッツポーズ", "喜", "胸を張", "手を振", "得意げ")),
)

_SURPRISE = re.compile(r"(え|ええ|わ|あ)っ")  # an interjection opening the line, not the っ of あっても


def mood_from_lines(texts: Sequence[str]) -> str:
    """The face for what the character says last in the panel: its last sentence's ending decides."""
    if not texts:
        return "normal"
    text = texts[-1]
    if _SURPRISE.match(text) or has_any(text, "！？", "ストーップ", "待ったー"):
        return "surprised"
    ending = text.rstrip("」』）")
    if ending.endswith(("…。", "…", "…？")) or has_any(text, "まずい", "うっかり"):
        return "worried"
    if ending.endswith("？"):
        return "puzzled"
    if ending.endswith("！"):
        return "happy"
    return "normal"


def cast_in(panel: Panel) -> list[str]:
    present = []
    for line in panel.lines:
        if line.speaker in _CHARACTERS and line.speaker not in present:
            present.append(line.speaker)
    scene = panel.scene
    mentioned = {key: _mentions(scene, key) for key in _CHARACTERS}
    if has_any(scene, "三人"):
        mentioned = dict.fromkeys(mentioned, True)
    for key in _CHARACTERS:
        if mentioned[key] and key not in present:
            present.append(key)
    return present


_NAMES = {"guide": "デジまる", "guest": "{guest}", "guest2": "{guest2}"}
_POSES = (
    ("wave", ("手を振",)),
    ("hold", ("掲げ", "見せ", "持つ", "持って", "手に取", "手を挙げ", "抱え", "手にする")),
    ("point", ("指さ", "指を立て", "指す", "説明", "示す", "描く", "書く", "答える", "印をつけ")),
)


def clauses_by_character(scene: str) -> dict[str, str]:
    """The words of the scene that are about each character: in a clause like "デジまるが{guest}に声をかける"
    the one before "が" acts; in "笑顔の{guest}と{guest2}" everyone named does."""
    about: dict[str, str] = dict.fromkeys(_CHARACTERS, "")
    for clause in re.split(r"[、，]", scene):
        if "三人" in clause:
            subjects = list(_CHARACTERS)
        else:
            cut = clause.rfind("が")
            named = [key for key in _CHARACTERS if _mentions(clause, key)]
            before = [key for key in named if cut > 0 and _mentions(clause[:cut], key)]
            subjects = before or named
        for key in subjects:
            about[key] += clause
    return about


def _mentions(text: str, key: str) -> bool:
    # "{guest}" is also the start of "{guest2}".
    return _NAMES[key] in (text.replace("{guest2}", "") if key == "guest" else text)


def scene_mood(words: str) -> str | None:
    for mood, keys in _MOODS:
        if has_any(words, *keys):
            return mood
    return None


def scene_pose(words: str) -> str:
    for pose, keys in _POSES:
        if has_any(words, *keys):
            return pose
    return "rest"


# What a monitor shows, by the first matching words of the scene.
_SCREENS = (
    ("pdf", ("PDF",)),
    ("alert", ("エラー", "至急")),
    ("ai", ("AI",)),
    ("chat", ("Teams", "チャット", "メッセージ", "リアクション", "在席")),
    ("mail", ("メール", "差出人")),
    ("files", ("ファイル",)),
    ("sheet", ("Excel", "表", "一覧", "ピボット", "日付", "入力", "フォーム")),
)


def screen_kind(scene: str) -> str:
    return next((kind for kind, words in _SCREENS if has_any(scene, *words)), "text")


DIAGRAM_WORDS = ("【変更前】", "【変更後】")


def wants_board(scene: str) -> bool:
    return has_any(scene, "ホワイトボード", *DIAGRAM_WORDS)
