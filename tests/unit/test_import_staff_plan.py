"""Planning a staff import: parsing rows, line-numbered reasons, and the diff against stored staff."""

from __future__ import annotations

import csv
import io
import itertools

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from ja_catalog import japanese

from elearn.domain.people import DEFAULT_GRADES, TIER_NAMES_JA, Tier
from elearn.imports.reader import read_table
from elearn.imports.staff_plan import (
    DivisionRef,
    ExistingStaff,
    StaffPlan,
    parse_tiers,
    plan_staff_import,
)

DIVISIONS = {
    "P01": DivisionRef("P01", 1, "P01", is_body=True),
    "D01": DivisionRef("D01", 2, "P01"),
    "D02": DivisionRef("D02", 3, "P01"),
    "DEPT1": DivisionRef("DEPT1", 4, "P01"),
    "OLD": DivisionRef("OLD", 5, "P01", is_active=False),
    "M01": DivisionRef("M01", 10, "M01", is_body=True),
    "K01": DivisionRef("K01", 11, "M01"),
}
GRADES = DEFAULT_GRADES
# What a refused grade or tier lists: the registered grades in their order, then every tier spelling.
GRADE_LIST = "部長級, 課長級, 課長補佐級, 係長・主査級, 主任・主事級, 新規採用"
TIER_LIST = ("DXマネージャー, DXスペシャリスト, デジタル化リーダー, 全職員, "
             "dx_manager, dx_specialist, digital_leader, all_staff")
JA_HEADER = "職員番号,氏名,ふりがな,メール,所属コード,職位,研修区分"
_ids = itertools.count(1)


def plan(text: str, existing: list[ExistingStaff] | None = None, deactivate_missing: bool = False,
         encoding: str = "utf-8") -> StaffPlan:
    table = read_table(text.encode(encoding), "staff.csv")
    return plan_staff_import(table, existing or [], DIVISIONS, GRADES, deactivate_missing)


def stored(staff_number: str, body_code: str = "P01", **fields: object) -> ExistingStaff:
    defaults = dict(
        id=next(_ids), body_code=body_code, staff_number=staff_number, name="山田 太郎", kana="やまだ たろう",
        email=None, division_code="D01" if body_code == "P01" else "K01", grade=None, tiers=frozenset(),
        is_active=True,
    )
    return ExistingStaff(**{**defaults, **fields})  # type: ignore[arg-type]


def messages(result: StaffPlan) -> list[tuple[int | None, str]]:
    return [(error.line, error.render(japanese)) for error in result.errors]


# --- reading rows ---------------------------------------------------------------------------------


def test_a_cp932_file_with_japanese_headers_creates_staff_with_names_exactly_as_written() -> None:
    text = f"{JA_HEADER}\r\n1001,髙橋 﨑子①,たかはし さきこ,Sakiko@Example.JP,D01,課長級,DXマネージャー\r\n"

    result = plan(text, encoding="cp932")

    assert result.is_valid
    [row] = result.creates
    assert (row.staff_number, row.name, row.kana) == ("1001", "髙橋 﨑子①", "たかはし さきこ")
    assert (row.email, row.division_id, row.body_code, row.grade) == ("sakiko@example.jp", 2, "P01", "課長級")
    assert row.tiers == {Tier.DX_MANAGER}


def test_english_headers_are_accepted_in_any_case_and_order() -> None:
    text = "Division_Code,Staff_Number,Name,Email\nK01,7,佐藤 花子,\n"

    [row] = plan(text).creates

    assert (row.staff_number, row.name, row.body_code, row.email) == ("7", "佐藤 花子", "M01", None)


def test_full_width_staff_numbers_and_codes_are_normalised_but_names_are_only_trimmed() -> None:
    text = "職員番号,氏名,所属コード\n\u3000１２３４５ ,\u3000ﾔﾏﾀﾞ ①\u3000,Ｄ０１\n"

    [row] = plan(text).creates

    assert (row.staff_number, row.division_code) == ("12345", "D01")
    assert row.name == "ﾔﾏﾀﾞ ①"  # half-width kana and ① survive: no NFKC on names


def test_staff_numbers_are_lower_cased_like_the_sign_in_name() -> None:
    [row] = plan("職員番号,氏名,所属コード\nＡ０１,山田,D01\n").creates

    assert row.staff_number == "a01"


def test_a_staff_member_may_belong_to_a_department_directly() -> None:
    assert plan("職員番号,氏名,所属コード\n1,山田,DEPT1\n").creates[0].body_code == "P01"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("DXマネージャー;デジタル化リーダー", {Tier.DX_MANAGER, Tier.DIGITAL_LEADER}),
        ("DXスペシャリスト、DXマネージャー", {Tier.DX_SPECIALIST, Tier.DX_MANAGER}),
        ("dx_manager，digital_leader；dx_specialist", set(Tier) - {Tier.ALL_STAFF}),
        ("ＤＸマネージャー, 全職員", {Tier.DX_MANAGER}),
        ("all_staff", set()),
        ("", set()),
        (" ; 、", set()),
    ],
)
def test_tier_cells_name_several_tiers_with_any_separator(cell: str, expected: set[Tier]) -> None:
    assert parse_tiers(cell) == (frozenset(expected), [])


def test_unknown_tier_names_are_returned_for_the_error_message() -> None:
    assert parse_tiers("DXマネージャー;係長") == (frozenset({Tier.DX_MANAGER}), ["係長"])


def test_grades_written_with_half_width_katakana_middle_dot_match_the_registered_grade() -> None:
    [row] = plan("職員番号,氏名,所属コード,職位\n1,山田,D01,係長･主査級\n").creates

    assert row.grade == "係長・主査級"


# --- bad rows -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",山田,,,D01,,", "職員番号が空です"),
        ("1,,,,D01,,", "氏名が空です"),
        ("1,山田,,,,,", "所属コードが空です"),
        ("1,山田,,,X99,,", "所属コード X99 が見つかりません"),
        ("1,山田,,,P01,,", "所属コード P01 は団体のコードです。部局か課室のコードを指定してください"),
        ("1,山田,,,OLD,,", "所属コード OLD は廃止されています"),
        ("1,山田,,,D01,係長,", f"職位「係長」は使えません。使える値: {GRADE_LIST}"),
        ("1,山田,,,D01,,DXマネージャー;リーダー", f"研修区分「リーダー」は使えません。使える値: {TIER_LIST}"),
        ("1,山田,,taro@,D01,,", "メールアドレス taro@ の形式が正しくありません"),
        ("1,山田,,taro yamada@example.jp,D01,,", "メールアドレス taro yamada@example.jp の形式が正しくありません"),
        ("1,山田,,taro@example,D01,,", "メールアドレス taro@example の形式が正しくありません"),
        ("a@b,山田,,,D01,,", "職員番号に @ は使えません"),
        (f"{'9' * 33},山田,,,D01,,", "職員番号が長すぎます (32文字まで)"),
        ("1,山田\x00太郎,,,D01,,", "列「氏名」に改行や制御文字が含まれています"),
        ('1,"山田\n太郎",,,D01,,', "列「氏名」に改行や制御文字が含まれています"),
        ("1,山田,やまだ\x1b,,D01,,", "列「ふりがな」に改行や制御文字が含まれています"),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_a_japanese_reason(row: str, message: str) -> None:
    text = f"{JA_HEADER}\n2,佐藤,,,D01,,\n{row}\n"

    result = plan(text)

    assert messages(result) == [(3, message)]
    assert not result.is_valid


def test_a_row_with_several_problems_reports_each_of_them() -> None:
    result = plan(f"{JA_HEADER}\n,,,bad,X1,係長,謎\n")

    assert messages(result) == [
        (2, "職員番号が空です"),
        (2, "氏名が空です"),
        (2, "メールアドレス bad の形式が正しくありません"),
        (2, "所属コード X1 が見つかりません"),
        (2, f"職位「係長」は使えません。使える値: {GRADE_LIST}"),
        (2, f"研修区分「謎」は使えません。使える値: {TIER_LIST}"),
    ]


def test_a_staff_number_twice_in_one_body_names_the_first_line() -> None:
    text = "職員番号,氏名,所属コード\n1,山田,D01\n2,佐藤,D01\n１,鈴木,D02\n1,田中,K01\n"

    assert messages(plan(text)) == [(4, "職員番号 1 がファイル内で重複しています (2行目)")]


def test_an_email_twice_in_the_file_names_the_first_line() -> None:
    text = "職員番号,氏名,所属コード,メール\n1,山田,D01,a@example.jp\n2,佐藤,K01,A@EXAMPLE.JP\n"

    assert messages(plan(text)) == [(3, "メールアドレス a@example.jp がファイル内で重複しています (2行目)")]


def test_line_numbers_count_blank_lines_and_multi_line_cells() -> None:
    # A line break inside a column the import reads is refused; in a column it ignores (備考) it is kept.
    text = '職員番号,氏名,所属コード,備考\n\n1,山田,D01,"異動\n予定"\n2,佐藤,NOPE,\n'

    assert messages(plan(text)) == [(5, "所属コード NOPE が見つかりません")]


def test_xlsx_rows_are_reported_with_their_sheet_row_numbers(tmp_path) -> None:
    workbook = openpyxl.Workbook()
    for row in (["staff_number", "name", "division_code"], [1, "山田", "D01"], [], [2, "佐藤", "NOPE"]):
        workbook.active.append(row)
    path = tmp_path / "staff.xlsx"
    workbook.save(path)

    table = read_table(path.read_bytes(), "staff.xlsx")
    result = plan_staff_import(table, [], DIVISIONS, GRADES, deactivate_missing=False)

    assert messages(result) == [(4, "所属コード NOPE が見つかりません")]
    assert result.creates[0].staff_number == "1"


def test_missing_required_columns_are_a_file_error_listing_them() -> None:
    assert messages(plan("氏名,メール\n山田,\n")) == [(None, "必須の列がありません: 職員番号, 所属コード")]


def test_the_same_column_in_japanese_and_english_is_a_file_error() -> None:
    result = plan("職員番号,staff_number,氏名,所属コード\n1,1,山田,D01\n")

    assert messages(result) == [(None, "列「職員番号」と「staff_number」は同じ項目です")]


def test_a_file_with_only_a_header_is_refused() -> None:
    assert messages(plan(f"{JA_HEADER}\n")) == [(None, "データ行がありません")]


def test_an_email_held_by_someone_not_in_the_file_is_reported_with_their_staff_number() -> None:
    holder = stored("900", body_code="M01", email="taken@example.jp")

    result = plan("職員番号,氏名,所属コード,メール\n1,山田,D01,Taken@example.jp\n", [holder])

    expected = "メールアドレス taken@example.jp は他の職員 (職員番号 900) が使用しています"
    assert messages(result) == [(2, expected)]


def test_two_people_in_the_file_may_swap_their_emails() -> None:
    existing = [stored("1", email="a@example.jp"), stored("2", email="b@example.jp")]

    text = "職員番号,氏名,所属コード,メール\n1,山田 太郎,D01,b@example.jp\n2,山田 太郎,D01,a@example.jp\n"

    result = plan(text, existing)

    assert result.is_valid and len(result.updates) == 2


def test_an_email_given_up_in_the_same_file_may_go_to_a_new_person() -> None:
    existing = [stored("1", email="a@example.jp")]
    text = "職員番号,氏名,所属コード,メール\n1,山田 太郎,D01,c@example.jp\n2,佐藤,D01,a@example.jp\n"

    result = plan(text, existing)

    assert result.is_valid and len(result.creates) == 1 and len(result.updates) == 1


def test_an_email_of_stored_staff_left_out_of_the_file_is_still_taken() -> None:
    existing = [stored("1", email="a@example.jp"), stored("2")]

    result = plan("職員番号,氏名,所属コード,メール\n2,山田 太郎,D01,a@example.jp\n", existing)

    assert messages(result) == [(2, "メールアドレス a@example.jp は他の職員 (職員番号 1) が使用しています")]


# --- the diff -------------------------------------------------------------------------------------


def test_planning_the_stored_state_again_gives_no_changes() -> None:
    row = "1,山田 太郎,やまだ たろう,a@example.jp,D01,課長級,DXスペシャリスト、DXマネージャー"
    text = f"{JA_HEADER}\n{row}\n"
    existing = [stored("1", email="a@example.jp", grade="課長級",
                       tiers=frozenset({Tier.DX_MANAGER, Tier.DX_SPECIALIST}))]

    result = plan(text, existing, deactivate_missing=True)

    assert result.is_valid and not result.has_changes
    assert result.summary() == {"create": 0, "update": 0, "move": 0, "reactivate": 0, "deactivate": 0,
                                "unchanged": 1, "error": 0}


def test_changed_fields_are_listed_with_old_and_new_values() -> None:
    text = f"{JA_HEADER}\n1,山田 花子,やまだ はなこ,New@example.jp,D01,課長級,デジタル化リーダー\n"
    existing = [stored("1", email="old@example.jp", tiers=frozenset({Tier.DX_MANAGER}))]

    [update] = plan(text, existing).updates

    assert {(c.field, c.old, c.new) for c in update.changes} == {
        ("name", "山田 太郎", "山田 花子"),
        ("kana", "やまだ たろう", "やまだ はなこ"),
        ("email", "old@example.jp", "new@example.jp"),
        ("grade", "", "課長級"),
        ("tiers", "DXマネージャー", "デジタル化リーダー"),
    }
    assert not update.is_move


def test_a_division_change_is_an_update_and_is_also_reported_as_a_move() -> None:
    result = plan("職員番号,氏名,所属コード\n1,山田 太郎,D02\n", [stored("1")])

    [update] = result.updates
    assert result.moves == [update]
    assert [(c.field, c.old, c.new) for c in update.changes] == [("division_code", "D01", "D02")]


def test_absent_optional_columns_leave_those_fields_unchanged() -> None:
    existing = [stored("1", email="a@example.jp", grade="課長級", tiers=frozenset({Tier.DX_MANAGER}))]

    result = plan("職員番号,氏名,所属コード\n1,山田 太郎,D01\n", existing)

    assert result.unchanged == 1 and not result.has_changes


def test_empty_optional_cells_clear_the_field() -> None:
    existing = [stored("1", email="a@example.jp", grade="課長級", tiers=frozenset({Tier.DX_MANAGER}))]

    [update] = plan(f"{JA_HEADER}\n1,山田 太郎,,,D01,,\n", existing).updates

    assert update.changed_fields == {"kana", "email", "grade", "tiers"}


def test_inactive_staff_in_the_file_are_reactivated() -> None:
    result = plan("職員番号,氏名,所属コード\n1,山田 太郎,D01\n", [stored("1", is_active=False)])

    assert [r.existing.staff_number for r in result.reactivations] == ["1"]
    assert result.updates == [] and result.unchanged == 0 and result.has_changes


def test_the_same_staff_number_in_another_body_is_another_person() -> None:
    result = plan("職員番号,氏名,所属コード\n1,山田 太郎,K01\n", [stored("1", body_code="P01")])

    assert [row.body_code for row in result.creates] == ["M01"]


def test_stored_staff_numbers_match_regardless_of_width_and_case() -> None:
    result = plan("職員番号,氏名,所属コード\na7,山田 太郎,D01\n", [stored("Ａ7")])

    assert result.unchanged == 1


def test_missing_staff_are_kept_unless_deactivation_is_asked_for() -> None:
    existing = [stored("1"), stored("2")]

    assert plan("職員番号,氏名,所属コード\n1,山田 太郎,D01\n", existing).deactivations == []


def test_missing_staff_are_deactivated_only_within_the_bodies_the_file_covers() -> None:
    existing = [stored("1"), stored("2"), stored("3", is_active=False), stored("9", body_code="M01")]

    result = plan("職員番号,氏名,所属コード\n1,山田 太郎,D01\n", existing, deactivate_missing=True)

    assert result.covered_bodies == {"P01"}
    assert [staff.staff_number for staff in result.deactivations] == ["2"]


def test_a_row_with_an_unknown_division_does_not_make_its_body_covered() -> None:
    existing = [stored("9", body_code="M01")]

    result = plan("職員番号,氏名,所属コード\n1,山田,D01\n2,佐藤,NOPE\n", existing, deactivate_missing=True)

    assert result.covered_bodies == {"P01"} and result.deactivations == []


def test_a_plan_with_errors_still_shows_what_the_good_rows_would_do() -> None:
    result = plan("職員番号,氏名,所属コード\n1,山田,D01\n2,佐藤,NOPE\n")

    assert len(result.creates) == 1 and not result.is_valid
    assert result.summary()["error"] == 1


# --- properties -----------------------------------------------------------------------------------

_cell_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12
).filter(str.strip)


_FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@st.composite
def staff_files(draw: st.DrawFn) -> str:
    numbers = draw(st.lists(st.integers(0, 99_999), min_size=1, max_size=15, unique=True))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(JA_HEADER.split(","))
    for number in numbers:
        tiers = draw(st.lists(st.sampled_from(sorted(TIER_NAMES_JA.values())), max_size=3))
        writer.writerow([
            str(number).translate(_FULL_WIDTH_DIGITS) if number % 2 else number,
            draw(_cell_text), draw(st.one_of(st.just(""), _cell_text)),
            draw(st.sampled_from(["", f"u{number}@example.jp", f"U{number}@Example.JP"])),
            draw(st.sampled_from(["D01", "D02", "Ｄ０１", "K01"])),
            draw(st.sampled_from(["", *DEFAULT_GRADES])),
            draw(st.sampled_from([";", "、", "，"])).join(tiers),
        ])
    return buffer.getvalue()


@given(staff_files())
def test_a_file_planned_against_the_state_it_produced_has_no_changes(text: str) -> None:
    first = plan(text)
    assert first.is_valid, first.errors
    state = [
        ExistingStaff(
            id=index, body_code=row.body_code, staff_number=row.staff_number, name=row.name,
            kana=row.kana, email=row.email, division_code=row.division_code, grade=row.grade,
            tiers=row.tiers, is_active=True,
        )
        for index, row in enumerate(first.creates)
    ]

    again = plan(text, state, deactivate_missing=True)

    assert again.is_valid and not again.has_changes
    assert again.unchanged == len(first.creates)
