"""Reading a file of past training records (研修履歴): rows to add, or every bad line with its reason."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from ja_catalog import japanese

from elearn.domain.people import Tier
from elearn.imports.history_rows import TrainingRef, parse_history_table
from elearn.imports.reader import read_table

TODAY = date(2026, 12, 4)
STAFF = {("P000", "100001"), ("P000", "100002"), ("M100", "200001"), ("P000", "left01")}  # a leaver included
EVERY_TIER = frozenset(Tier)
TRAININGS = {"security-basics": TrainingRef("security-basics", EVERY_TIER),
             "ev-2022-dx-seminar": TrainingRef("EV-2022-DX-SEMINAR", EVERY_TIER),
             "dx-leader": TrainingRef("dx-leader", frozenset({Tier.DIGITAL_LEADER}))}
HEADER = "職員番号,団体コード,研修名,修了日,研修区分,時間\n"


def parse(body: str, header: str = HEADER, encoding: str = "utf-8"):
    return parse_history_table(read_table((header + body).encode(encoding), "history.csv"), STAFF, TRAININGS, TODAY)


def lines_and_messages(parsed) -> list[tuple[int | None, str]]:
    return [(error.line, error.render(japanese)) for error in parsed.errors]


def test_good_rows_are_read_in_every_written_form():
    parsed = parse("100001,P000,security-basics,2022-06-15,DXマネージャー,1.5\n"
                   "１００００２,P000,EV-2022-DX-SEMINAR,令和4年7月1日,DXスペシャリスト,3時間\n"
                   "200001,M100,ev-2022-dx-seminar,2023/2/28,デジタル化リーダー,\n"
                   "LEFT01,P000,security-basics,R5.4.10,全職員,2\n")
    assert not parsed.errors
    assert [(row.line, row.staff_number, row.body_code, row.training, row.completed_on, row.tier, row.hours)
            for row in parsed.rows] == [
        (2, "100001", "P000", "security-basics", date(2022, 6, 15), Tier.DX_MANAGER, Decimal("1.5")),
        (3, "100002", "P000", "EV-2022-DX-SEMINAR", date(2022, 7, 1), Tier.DX_SPECIALIST, Decimal(3)),
        (4, "200001", "M100", "EV-2022-DX-SEMINAR", date(2023, 2, 28), Tier.DIGITAL_LEADER, None),
        (5, "left01", "P000", "security-basics", date(2023, 4, 10), Tier.ALL_STAFF, Decimal(2)),
    ]


def test_english_headers_and_a_cp932_file_are_read():
    english = parse("100001,P000,security-basics,2022-06-15,dx_manager,1\n",
                    header="staff_number,body,training,completed_on,tier,hours\n")
    assert not english.errors and english.rows[0].tier is Tier.DX_MANAGER
    cp932 = parse("100001,P000,security-basics,令和4年6月15日,ＤＸマネージャー,1\n", encoding="cp932")
    assert not cp932.errors and cp932.rows[0].completed_on == date(2022, 6, 15)


HOURS = "は0より大きく100以下の時間数にしてください。"


@pytest.mark.parametrize(("row", "message"), [
    ("999999,P000,security-basics,2022-06-15,DXマネージャー,1", "団体 P000 に職員番号 999999 の職員は見つかりません。"),
    ("200001,P000,security-basics,2022-06-15,DXマネージャー,1", "団体 P000 に職員番号 200001 の職員は見つかりません。"),
    (",P000,security-basics,2022-06-15,DXマネージャー,1", "職員番号が空です"),
    ("100001,P000,unknown-course,2022-06-15,DXマネージャー,1",
     "研修名「unknown-course」はコースでも研修でもありません。"),
    ("100001,P000,security-basics,2022-02-30,DXマネージャー,1", "修了日「2022-02-30」は日付として読めません"),
    ("100001,P000,security-basics,2027-01-01,DXマネージャー,1", "修了日 2027-01-01 は未来の日付です。"),
    ("100001,P000,security-basics,1999-06-15,DXマネージャー,1", "修了日 1999-06-15 は 2000-04-01 より前です。"),
    ("100001,P000,security-basics,2022-06-15,課長,1", "研修区分「課長」は使えません。使える値: "),
    ("100001,P000,security-basics,2022-06-15,,1", "研修区分が空です"),
    ("100001,P000,security-basics,2022-06-15,DXマネージャー,0", "時間「0」" + HOURS),
    ("100001,P000,security-basics,2022-06-15,DXマネージャー,たくさん", "時間「たくさん」" + HOURS),
    ("100001,P000,security-basics,2022-06-15,DXマネージャー,NaN", "時間「NaN」" + HOURS),
])
def test_each_bad_row_is_named_with_its_line_and_reason(row: str, message: str):
    parsed = parse(f"100002,P000,security-basics,2022-06-15,DXマネージャー,1\n{row}\n")
    assert [line for line, _ in lines_and_messages(parsed)] == [3]
    assert message in lines_and_messages(parsed)[0][1]


def test_the_file_is_all_or_nothing_and_every_bad_line_is_reported():
    good = "".join(f"100001,P000,security-basics,{year}-06-15,DXマネージャー,1\n" for year in range(2001, 2023))
    parsed = parse(good + "100001,P000,nope,2023-07-01,DXマネージャー,1\n"
                   + "999,P000,security-basics,2023-07-02,DXマネージャー,1\n"
                   + "100001,P000,security-basics,2023-07-03,謎,1\n")
    assert [line for line, _ in lines_and_messages(parsed)] == [24, 25, 26]
    assert len(parsed.rows) == 22  # the caller applies nothing while errors is not empty


def test_the_same_training_twice_in_a_fiscal_year_names_the_first_line():
    parsed = parse("100001,P000,security-basics,2022-06-15,DXマネージャー,1\n"
                   "100001,P000,Security-Basics,令和5年3月31日,DXマネージャー,2\n"  # FY2022 still
                   "100001,P000,security-basics,2023-04-01,DXマネージャー,1\n")  # FY2023: a new year's record
    assert lines_and_messages(parsed) == [(3, "同じ年度の同じ研修が2行目にもあります。")]


def test_a_record_counts_only_for_a_tier_its_training_trains():
    parsed = parse("100001,P000,dx-leader,2022-06-15,デジタル化リーダー,1\n"
                   "100002,P000,dx-leader,2022-06-15,DXマネージャー,1\n")
    assert lines_and_messages(parsed) == [(3, "dx-leader は研修区分「DXマネージャー」の研修ではありません。")]


def test_missing_columns_and_an_empty_file_are_file_errors():
    missing = parse("100001,P000,security-basics\n", header="職員番号,団体コード,研修名\n")
    assert [line for line, _ in lines_and_messages(missing)] == [None]
    assert "修了日" in lines_and_messages(missing)[0][1] and "研修区分" in lines_and_messages(missing)[0][1]
    assert lines_and_messages(parse(""))[0][0] is None


def test_a_control_character_in_a_read_column_is_refused():
    parsed = parse("100001,P000,security-basics\x00,2022-06-15,DXマネージャー,1\n")
    assert parsed.errors and parsed.errors[0].line == 2


def test_an_event_is_completed_once_whatever_the_year():
    trainings = {**TRAININGS, "ws-01": TrainingRef("WS-01", EVERY_TIER, once=True)}
    parsed = parse_history_table(read_table((HEADER + "100001,P000,WS-01,2022-06-15,DXマネージャー,3\n"
                                             "100001,P000,ws-01,2024-06-15,DXマネージャー,3\n").encode(), "h.csv"),
                                 STAFF, trainings, TODAY)
    assert lines_and_messages(parsed) == [(3, "同じ研修が2行目にもあります（研修の修了は1人1回です）。")]
