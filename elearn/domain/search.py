"""What a person types into a search box, as the words to find."""

from __future__ import annotations

MAX_WORDS = 5  # more would make a long query for no better answer


def search_words(text: str) -> list[str]:
    """The words of `text`, split on any space: names are stored with the ideographic space (「坂本　修」) and typed
    with either, so 「坂本 修」 looks for 坂本 and 修 (has_every_word: both in one field)."""
    return text.split()[:MAX_WORDS]


def has_every_word(words: list[str], *fields: str) -> bool:
    """Every word is in one and the same field (letters of any case): 「年度 3」 finds the name 「年度 3」, not every
    name with 年度 whose number holds a 3."""
    folded = [field.casefold() for field in fields]
    return not words or any(all(word.casefold() in field for word in words) for field in folded)
