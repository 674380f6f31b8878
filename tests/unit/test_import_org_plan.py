"""Planning an organisation import: kinds, parents in any order, cycles, renames keeping the code."""

from __future__ import annotations

import pytest
from ja_catalog import japanese

from elearn.domain.people import OrgKind
from elearn.imports.org_plan import ExistingUnit, OrgPlan, plan_org_import
from elearn.imports.reader import read_table

HEADER = "所属コード,所属名,上位所属コード,種別"
STORED = [
    ExistingUnit(1, "P01", "秋田県", OrgKind.PREFECTURE, None),
    ExistingUnit(2, "B01", "総務部", OrgKind.DEPARTMENT, "P01"),
    ExistingUnit(3, "K01", "人事課", OrgKind.DIVISION, "B01"),
    ExistingUnit(4, "M01", "秋田市", OrgKind.MUNICIPALITY, None),
    ExistingUnit(5, "MB01", "企画部", OrgKind.DEPARTMENT, "M01"),
    ExistingUnit(6, "K99", "旧課", OrgKind.DIVISION, "B01", is_active=False),
]
# Every value the 種別 column accepts, as a refused row lists them.
KINDS = ("都道府県, 市区町村, 部局, 課室, 都, 道, 府, 県, 市, 町, 村, 部, 局, 課, 室, 所属, "
         "prefecture, municipality, department, division")
STORED_AS_CSV = "P01,秋田県,,都道府県\nB01,総務部,P01,部局\nK01,人事課,B01,課室\nM01,秋田市,,市区町村\n"


def plan(rows: str, header: str = HEADER, existing: list[ExistingUnit] | None = None) -> OrgPlan:
    table = read_table(f"{header}\n{rows}".encode(), "orgs.csv")
    return plan_org_import(table, STORED if existing is None else existing)


def messages(result: OrgPlan) -> list[tuple[int | None, str]]:
    return [(error.line, error.render(japanese)) for error in result.errors]


def test_a_new_tree_is_created_with_parents_before_children_whatever_the_file_order() -> None:
    rows = "N3,情報政策課,N2,課室\nN2,企画振興部,N1,部局\nN1,由利本荘市,,市\nN4,DX推進室,N3,所属\n"

    result = plan(rows, existing=[])

    assert result.is_valid
    assert [(row.code, row.kind) for row in result.creates] == [
        ("N1", OrgKind.MUNICIPALITY),
        ("N2", OrgKind.DEPARTMENT),
        ("N3", OrgKind.DIVISION),
        ("N4", OrgKind.DIVISION),
    ]


def test_english_headers_and_kind_keys_are_accepted() -> None:
    result = plan("K02,広報課,B01,division\n", header="code,name,parent_code,kind")

    [row] = result.creates
    assert (row.code, row.parent_code, row.kind) == ("K02", "B01", OrgKind.DIVISION)


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("都道府県", OrgKind.PREFECTURE),
        ("市", OrgKind.MUNICIPALITY),
        ("町", OrgKind.MUNICIPALITY),
        ("村", OrgKind.MUNICIPALITY),
        ("Municipality", OrgKind.MUNICIPALITY),
    ],
)
def test_body_kinds_may_be_written_in_several_ways(cell: str, kind: OrgKind) -> None:
    assert plan(f"X1,某,,{cell}\n").creates[0].kind == kind


@pytest.mark.parametrize(("cell", "kind"), [("部", OrgKind.DEPARTMENT), ("局", OrgKind.DEPARTMENT),
                                            ("課", OrgKind.DIVISION), ("室", OrgKind.DIVISION)])
def test_units_below_a_body_may_be_written_as_hr_files_name_them(cell: str, kind: OrgKind) -> None:
    assert plan(f"X1,某,B01,{cell}\n").creates[0].kind == kind


def test_full_width_codes_are_normalised_and_names_kept_as_written() -> None:
    [row] = plan("Ｋ０２,\u3000髙﨑①課\u3000,Ｂ０１,課室\n").creates

    assert (row.code, row.name, row.parent_code) == ("K02", "髙﨑①課", "B01")


def test_importing_the_stored_tree_again_changes_nothing() -> None:
    result = plan(STORED_AS_CSV)

    assert result.is_valid and not result.has_changes
    assert result.summary() == {"create": 0, "rename": 0, "reparent": 0, "reactivate": 0, "unchanged": 4,
                                "error": 0}


def test_a_renamed_unit_keeps_its_code_and_is_reported_as_a_rename() -> None:
    result = plan("K01,人事・働き方改革課,B01,課室\n")

    [rename] = result.renames
    assert (rename.code, rename.old_name, rename.new_name) == ("K01", "人事課", "人事・働き方改革課")
    assert result.creates == []


def test_a_unit_moved_under_another_parent_of_the_same_body_is_a_reparent() -> None:
    result = plan("B02,企画部,P01,部局\nK01,人事課,B02,課室\n")

    [move] = result.reparents
    assert (move.code, move.old_parent_code, move.new_parent_code) == ("K01", "B01", "B02")


def test_without_a_parent_column_stored_units_stay_where_they_are() -> None:
    result = plan("K01,人事課,課室\n", header="所属コード,所属名,種別")

    assert result.is_valid and result.unchanged == 1


def test_an_inactive_unit_in_the_file_is_reactivated() -> None:
    result = plan("K99,旧課,B01,課室\n")

    assert [row.code for row in result.reactivations] == ["K99"]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (",名前,B01,課室", "所属コードが空です"),
        ("X1,,B01,課室", "所属名が空です"),
        ("X1,名前,B01,", "種別が空です"),
        ("X1,名前,B01,係", f"種別「係」は使えません。使える値: {KINDS}"),
        ("X1,名前,,課室", "上位所属コードが空です"),
        ("X1,名前,P01,市区町村", "都道府県・市区町村には上位所属コードを指定できません"),
        ("X1,名前,NOPE,課室", "上位所属コード NOPE が見つかりません"),
        ("X1,名前,K99,課室", "上位所属コード K99 は廃止されています"),
        ("K01,人事課,B01,部局", "所属コード K01 の種別は変更できません (課室 → 部局)"),
        ("K01,人事課,MB01,課室", "所属コード K01 を別の団体へ移すことはできません"),
        (f"{'X' * 33},名前,B01,課室", "所属コードが長すぎます (32文字まで)"),
        ("X1,名前\x00,B01,課室", "列「所属名」に改行や制御文字が含まれています"),
    ],
)
def test_each_bad_row_is_reported_with_its_line_and_a_japanese_reason(row: str, message: str) -> None:
    result = plan(f"K02,広報課,B01,課室\n{row}\n")

    assert messages(result) == [(3, message)]


def test_a_code_twice_in_the_file_names_the_first_line() -> None:
    assert messages(plan("X1,甲,B01,課室\nX2,乙,B01,課室\nＸ1,丙,B01,課室\n")) == [
        (4, "所属コード X1 がファイル内で重複しています (2行目)")
    ]


def test_a_cycle_within_the_file_is_reported_on_each_unit_of_it() -> None:
    result = plan("A1,甲,A2,部局\nA2,乙,A1,部局\nA3,丙,A1,課室\n")

    assert messages(result) == [
        (2, "所属コード A1 の上位所属が循環しています"),
        (3, "所属コード A2 の上位所属が循環しています"),
        (4, "所属コード A3 の上位所属が循環しています"),
    ]


def test_a_cycle_through_stored_units_is_detected() -> None:
    # B01 is stored under P01; the file puts B01 under K01, which is stored under B01.
    assert messages(plan("B01,総務部,K01,部局\n")) == [(2, "所属コード B01 の上位所属が循環しています")]


def test_a_unit_under_a_refused_row_reports_the_missing_parent() -> None:
    result = plan("A1,甲,P01,謎\nA2,乙,A1,課室\nA3,丙,A2,課室\n")

    assert messages(result) == [
        (2, f"種別「謎」は使えません。使える値: {KINDS}"),
        (3, "上位所属コード A1 が見つかりません"),
        (4, "上位所属コード A1 が見つかりません"),
    ]


def test_missing_required_columns_are_a_file_error() -> None:
    assert messages(plan("X1,名前\n", header="所属コード,所属名")) == [(None, "必須の列がありません: 種別")]


def test_a_file_with_only_a_header_is_refused() -> None:
    assert messages(plan("")) == [(None, "データ行がありません")]
