"""Names of files inside an archive, made from staff records: never a path, always extractable."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elearn.domain.archive_names import MAX_LENGTH, safe_member_name


def test_a_japanese_name_is_kept_as_written():
    assert safe_member_name("髙﨑　𠮷太郎") == "髙﨑　𠮷太郎"  # full-width space and rare kanji kept
    assert safe_member_name("ｶﾀｶﾅ ①") == "ｶﾀｶﾅ ①"  # no NFKC on names


def test_a_name_is_composed_to_nfc():
    assert safe_member_name("が") == "が"  # か + combining dakuten, as macOS writes it


@pytest.mark.parametrize("hostile", ["../../etc/passwd", "..\\..\\Windows\\evil", "/absolute", "a/../../b",
                                     "....//....//x"])
def test_a_name_cannot_climb_out_of_its_folder(hostile):
    safe = safe_member_name(hostile)
    assert "/" not in safe and "\\" not in safe and ".." not in safe


def test_control_and_invisible_format_characters_are_removed():
    assert safe_member_name("a\x00b\r\nc\x1b") == "a b c"
    assert safe_member_name("報告\u202efdp.exe") == "報告 fdp.exe"  # a right-to-left override


def test_characters_windows_reserves_are_replaced():
    assert safe_member_name('a<b>c:d"e|f?g*h') == "a_b_c_d_e_f_g_h"


@pytest.mark.parametrize("device", ["CON", "con", "NUL.pdf", "COM1", "lpt9"])
def test_windows_device_names_are_prefixed(device):
    assert safe_member_name(device) == "_" + device


def test_dots_and_spaces_at_the_ends_are_removed_and_nothing_left_is_an_underscore():
    assert safe_member_name(" .hidden. ") == "hidden"
    assert safe_member_name("") == "_" and safe_member_name("..") == "_" and safe_member_name("\x00") == "_"


def test_a_long_name_is_cut():
    assert safe_member_name("長" * 200) == "長" * MAX_LENGTH
    assert safe_member_name("長" * 200, 10) == "長" * 10


@given(st.text(max_size=300))
def test_any_text_becomes_one_safe_path_component(text):
    safe = safe_member_name(text)
    assert 0 < len(safe) <= MAX_LENGTH
    assert not any(character in safe for character in '/\\<>:"|?*')
    assert ".." not in safe and not safe.startswith((".", " ")) and not safe.endswith((".", " "))
    assert not any(unicodedata.category(character) in ("Cc", "Cf") for character in safe)
    assert unicodedata.is_normalized("NFC", safe)
