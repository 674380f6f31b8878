from elearn.domain.search import MAX_WORDS, has_every_word, search_words


def test_words_are_split_on_either_space():
    assert search_words("坂本 修") == search_words("坂本\u3000修") == search_words("  坂本\t修 ") == ["坂本", "修"]
    assert search_words("") == [] and search_words("\u3000") == []
    assert len(search_words(" ".join("abcdefgh"))) == MAX_WORDS


def test_every_word_must_be_found_in_some_field():
    assert has_every_word(["坂本", "修"], "坂本\u3000修", "さかもと おさむ")
    assert not has_every_word(["さかもと", "修"], "坂本\u3000修", "さかもと おさむ")  # one field holds them all
    assert not has_every_word(["坂本", "茂"], "坂本\u3000修", "さかもと おさむ")
    assert has_every_word(["smith"], "SMITH John")
    assert has_every_word([], "anything")
