"""How an accepted short answer matches what a learner typed, as Moodle's short-answer question does it.

An ASCII `*` in an accepted answer matches any run of characters, none included; `\\*` is a literal
asterisk. Both sides are compared after normalisation (NFKC, katakana as hiragana, case and spaces
ignored), so a full-width ＊ is an ordinary character that matches itself and `*` typed by the learner.
"""

from __future__ import annotations

import re
import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
_WILDCARDS = re.compile(r"(?<!\\)\*+")  # Moodle's rule: a run of stars is one star; `\*` is not one


def normalise_answer(text: str) -> str:
    """NFKC (full/half width), katakana as hiragana, case and spaces ignored."""
    folded = unicodedata.normalize("NFKC", text).translate(_KATAKANA_TO_HIRAGANA).casefold()
    return "".join(folded.split())


def has_wildcard(answer: str) -> bool:
    return bool(_WILDCARDS.search(answer))


def pieces(answer: str) -> list[str]:
    """The normalised text between the wildcards; a single piece when there is none."""
    return [normalise_answer(piece.replace("\\*", "*")) for piece in _WILDCARDS.split(answer)]


def matches(answer: str, normalised_response: str) -> bool:
    """Whether the accepted answer (pattern) matches a response already normalised with normalise_answer."""
    first, *middle_and_last = pieces(answer)
    if not middle_and_last:
        return normalised_response == first
    *middle, last = middle_and_last
    if len(normalised_response) < len(first) + len(last):
        return False
    if not (normalised_response.startswith(first) and normalised_response.endswith(last)):
        return False
    # Leftmost placement of each middle piece is optimal for a star-only pattern: linear, no backtracking.
    position, end = len(first), len(normalised_response) - len(last)
    for piece in middle:
        found = normalised_response.find(piece, position, end)
        if found < 0:
            return False
        position = found + len(piece)
    return True


def may_match_the_same(one: str, other: str) -> bool:
    """Whether some response would match both accepted answers."""
    if not has_wildcard(one):
        return matches(other, normalise_answer(one.replace("\\*", "*")))
    if not has_wildcard(other):
        return matches(one, normalise_answer(other.replace("\\*", "*")))
    # Two patterns with a star each share a response exactly when their fixed starts and ends agree: the
    # pieces in between fit into each other's stars.
    one_pieces, other_pieces = pieces(one), pieces(other)
    starts = sorted((one_pieces[0], other_pieces[0]), key=len)
    ends = sorted((one_pieces[-1], other_pieces[-1]), key=len)
    return starts[1].startswith(starts[0]) and ends[1].endswith(ends[0])
