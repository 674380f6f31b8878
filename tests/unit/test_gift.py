"""Importing Moodle GIFT files: what each supported construct becomes, how each unsupported one is reported,
and that the written bank is one load_bank accepts and reads back unchanged."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from elearn.cli.content import import_quiz
from elearn.content.bank_writer import bank_yaml
from elearn.content.banks import load_bank
from elearn.content.fields import UNWRITABLE
from elearn.content.gift import BLANK, GiftError, decode_gift, parse_gift
from elearn.content.source import SourceError
from elearn.domain.grading import grade_question
from elearn.domain.quiz import Choice, Question, QuestionKind, Scoring

GIFT = Path(__file__).resolve().parent.parent / "data" / "gift"


def only(text: str) -> Question:
    questions, errors = parse_gift(text, "imported")
    assert errors == [] and len(questions) == 1, errors
    return questions[0]


def errors_of(text: str) -> list[tuple[int, str]]:
    _, errors = parse_gift(text, "imported")
    return [(error.line, error.message) for error in errors]


def reloaded(questions: list[Question], folder: Path, slug: str = "imported") -> list[Question]:
    path = folder / f"{slug}.yaml"
    path.write_text(bank_yaml(slug, "取り込んだ問題", questions), encoding="utf-8")
    errors: list[SourceError] = []
    bank = load_bank(path, errors)
    assert errors == [] and bank is not None, errors
    return list(bank.questions)


def without_lines(questions: list[Question]) -> list[Question]:
    return [replace(q, line=0) for q in questions]


# Supported kinds


def test_choices_with_one_equals_become_a_single_question_explained_by_every_choices_feedback():
    question = only("パスワードの管理として適切なものは。{=紙に書かない#書いた紙は盗まれます。 ~付箋に書く#見られます。"
                    " ~同僚と共有する}")
    assert question.kind is QuestionKind.SINGLE
    assert question.text == "パスワードの管理として適切なものは。"
    assert question.choices == (Choice("紙に書かない", True), Choice("付箋に書く"), Choice("同僚と共有する"))
    # Moodle shows a wrong choice's feedback to whoever picks it; a bank has one explanation, which names it.
    assert question.explanation == "書いた紙は盗まれます。\n「付箋に書く」を選んだ場合: 見られます。"


def test_weighted_choices_become_a_multiple_question_with_partial_scoring_and_negative_weights_as_wrong():
    question = only("多要素認証の要素は。{~%50%知識 ~%50%所持 ~%-100%役職 ~肩書}")
    assert question.kind is QuestionKind.MULTIPLE and question.scoring is Scoring.PARTIAL
    assert [c.correct for c in question.choices] == [True, True, False, False]


def test_three_equal_thirds_add_up_to_one_hundred_percent_as_in_moodle():
    question = only("報告することは。{~%33.33333%いつ ~%33.33333%何が ~%33.33333%どこで ~%-100%推測}")
    assert question.scoring is Scoring.PARTIAL and sum(c.correct for c in question.choices) == 3


def test_one_full_weight_choice_without_equals_is_a_multiple_question_scored_all_or_nothing():
    question = only("不審メールを受けたら。{~%100%報告する ~転送する ~削除する}")
    assert question.kind is QuestionKind.MULTIPLE and question.scoring is Scoring.ALL_OR_NOTHING


@pytest.mark.parametrize(("braces", "answer"), [("{T}", True), ("{TRUE}", True), ("{F}", False), ("{FALSE}", False)])
def test_true_false_accepts_moodles_four_spellings(braces: str, answer: bool):
    question = only(f"公用パソコンは離席時にロックする。{braces}")
    assert question.kind is QuestionKind.TRUE_FALSE and question.answer is answer
    assert question.explanation == ("正解は「正しい」です。" if answer else "正解は「誤り」です。")


@pytest.mark.parametrize(("braces", "explanation"), [
    ("{F#名前は偽装できます。#その通り。}", "その通り。\n「正しい」を選んだ場合: 名前は偽装できます。"),  # #wrong#right
    ("{F#名前は偽装できます。}", "正解は「誤り」です。\n「正しい」を選んだ場合: 名前は偽装できます。"),
    ("{F#名前は偽装できます。#その通り。####差出人名は自由に書けます。}",
     "差出人名は自由に書けます。\n「誤り」を選んだ場合: その通り。\n「正しい」を選んだ場合: 名前は偽装できます。"),
    ("{F####差出人名は自由に書けます。}", "差出人名は自由に書けます。"),
])
def test_true_false_explanation_keeps_the_general_and_both_answers_feedback(braces: str, explanation: str):
    assert only(f"差出人名が正しければ添付を開いてよい。{braces}").explanation == explanation


def test_short_answer_keeps_full_credit_answers_and_the_feedback_of_zero_percent_ones():
    question = only("自動化の仕組みを英字3文字で。{=RPA#略語です。 =%100%アールピーエー =%0%AI#人工知能です。}")
    assert question.kind is QuestionKind.SHORT_ANSWER
    assert question.answers == ("RPA", "アールピーエー")
    assert question.explanation == "略語です。\n「AI」と答えた場合: 人工知能です。"


@pytest.mark.parametrize("word", ["t", "true", "f", "false", "True", "False"])
def test_true_false_words_are_case_sensitive_so_lower_case_is_a_short_answer_as_in_moodle(word: str):
    question = only(f"英語で「真」を意味する語は。{{{word}}}")
    assert question.kind is QuestionKind.SHORT_ANSWER and question.answers == (word,)


def test_a_star_in_a_short_answer_stays_a_wildcard_through_the_bank_and_grades_as_in_moodle(tmp_path: Path):
    question = only("「色」を英語で。{=colo*r#どちらの綴りも正解です。 =%0%*#英語で答えてください。}")
    assert question.answers == ("colo*r",)
    assert question.explanation == "どちらの綴りも正解です。\nほかの解答の場合: 英語で答えてください。"
    [written] = reloaded([question], tmp_path)
    assert written.answers == ("colo*r",)
    assert [grade_question(written, typed).is_correct for typed in ("colour", "color", "colours")] == [
        True, True, False]


def test_an_escaped_star_in_a_short_answer_is_a_literal_asterisk(tmp_path: Path):
    question = only("掛け算の記号は。{=a\\*b =*ing}")
    assert grade_question(question, "a*b").is_correct and not grade_question(question, "axb").is_correct
    assert reloaded([question], tmp_path)[0].answers == ("a\\*b", "*ing")  # YAML quotes a leading star


@pytest.mark.parametrize("braces", ["{=%0%colour#英国式 =colo*r}", "{=%0%*#違います =color}",
                                    "{=%0%a*#違います =*b}"])
def test_a_zero_percent_answer_moodle_would_match_before_a_right_one_is_reported(braces: str):
    [(line, message)] = errors_of(f"「色」を英語で。\n{braces}")
    assert line == 1 and "0% の解答" in message and "Moodle は先に書かれた 0% の解答で採点" in message


def test_a_zero_percent_answer_that_cannot_meet_a_right_one_is_fine_before_it():
    assert only("「色」を英語で。{=%0%colours#複数形です =colo*r}").answers == ("colo*r",)


def test_a_lone_answer_without_equals_is_a_short_answer_as_in_moodle():
    assert only("情報漏えいの連絡先は。{情報政策課}").answers == ("情報政策課",)


def test_general_feedback_comes_first_and_each_answers_feedback_follows_it():
    question = only("安全なものは。{=A#Aの説明 ~B#Bの説明 ~C ####全体の解説}")
    assert question.explanation == "全体の解説\n「A」を選んだ場合: Aの説明\n「B」を選んだ場合: Bの説明"
    assert question.choices[0] == Choice("A", True)


def test_moodles_multiple_response_case_keeps_the_feedback_of_right_and_wrong_choices():
    question = only("::colours:: What's between orange and green in the spectrum?\n{\n"
                    "    ~%50%yellow # right; good!\n    ~%-100%red # [html]wrong\n"
                    "    ~%50%off-beige # right; good!\n    ~%-100%[plain]blue # wrong\n}")
    assert question.explanation == "right; good!\n「red」を選んだ場合: wrong\n「blue」を選んだ場合: wrong"


def test_without_any_feedback_the_explanation_names_the_right_answers():
    question = only("選ぶものは。{~%50%A ~%50%B ~C}")
    assert question.explanation == "正解は「A」「B」です。"


def test_missing_word_form_keeps_the_question_with_a_blank_where_the_braces_were():
    question = only("不審なメールを開いたら、すぐに{=情報政策課 ~同僚 ~差出人}へ報告します。")
    assert question.text == f"不審なメールを開いたら、すぐに{BLANK}へ報告します。"
    assert BLANK == "（　　）"


def test_escaped_characters_are_text_and_backslash_n_is_a_line_break():
    question = only("記号 \\{ \\} \\~ \\= \\# \\: \\\\ を含む。\\n二行目{=a\\~b ~c\\=d ~e\\#f}")
    assert question.text == "記号 { } ~ = # : \\ を含む。\n二行目"
    assert [c.text for c in question.choices] == ["a~b", "c=d", "e#f"]


def test_comments_are_ignored_and_a_question_may_span_several_lines():
    question = only("// question: 12  name: x\n::q::一行目\n// 途中のコメント\n二行目{\n=A\n~B\n~C\n}\n")
    assert question.text == "一行目\n二行目" and question.line == 2


def test_format_prefixes_are_removed_and_html_is_reduced_to_its_text():
    assert only("[markdown]**強調**の問題{T}").text == "強調の問題"
    assert only("::t::[plain]<b>そのまま</b>{T}").text == "<b>そのまま</b>"
    question = only("[html]<p>情報の<b>機密性</b>とは</p><p>何か&amp;なぜ</p><script>alert(1)</script>"
                    "{=許可された人&nbsp;だけ ~[plain]<i>改ざん</i> ~停止 ####<p>3要素 &lt;CIA&gt;</p>}")
    assert question.text == "情報の機密性とは\n何か&なぜ"
    assert [c.text for c in question.choices] == ["許可された人 だけ", "<i>改ざん</i>", "停止"]
    assert question.explanation == "3要素 <CIA>"


def test_markdown_becomes_the_text_it_shows_with_lists_numbered_and_code_indented():
    question = only("[markdown]1. **強調**の*問題*\n2. `保存`する\n    - 入れ子\n"
                    "{=a#[markdown]__ここ__が正解 ~[plain]**b** ~c ####次のコードは\\n\\n    if x:\\n        y()}")
    assert question.text == "1. 強調の問題\n2. 保存する\n・入れ子"
    assert [c.text for c in question.choices] == ["a", "**b**", "c"]  # [plain] keeps its asterisks
    assert question.explanation.startswith("次のコードは\nif x:\n    y()")


def test_html_lines_join_as_a_browser_shows_them_and_lists_keep_their_numbers():
    question = only("[html]<p>一行目の\n続き<br>次の  行 &amp; 記号</p><ol start=\"3\"><li>x</li><li>y</li></ol>"
                    "<ul><li>z</li></ul>{T}")
    assert question.text == "一行目の続き\n次の 行 & 記号\n3. x\n4. y\n・z"


MOODLE_PRE = """::Q001::[html]<p>What would running the test method print?</p>
<pre>
    public void test() \\{
        method1();
        method2();
    \\}
</pre>
{=method1 ~method2 ~nothing}"""


def test_indentation_inside_pre_is_kept_as_in_moodles_own_test_and_survives_the_bank(tmp_path: Path):
    question = only(MOODLE_PRE)
    # The indentation common to every line is the box's margin; the code's own indentation stays.
    assert question.text == ("What would running the test method print?\n"
                             "public void test() {\n    method1();\n    method2();\n}")
    assert reloaded([question], tmp_path)[0].text == question.text


# Ids and tags


def test_ascii_titles_become_ids_and_other_questions_are_numbered_by_position():
    questions, _ = parse_gift("::Password Rules 1::a{T}\n\n::パスワード::b{T}\n\nc{T}\n\n::USB\\: rules::d{F}", "x")
    assert [q.id for q in questions] == ["password-rules-1", "q-002", "q-003", "usb-rules"]


def test_clashing_ids_get_a_numbered_suffix():
    questions, _ = parse_gift("::Same::a{T}\n\n::same::b{T}\n\n::q-004::c{T}\n\nd{T}", "x")
    assert [q.id for q in questions] == ["same", "same-2", "q-004", "q-004-2"]


def test_the_last_category_names_the_tag_and_a_category_without_ascii_gives_none():
    text = ("$CATEGORY: $course$/top/情報セキュリティ/Password Rules\n\na{T}\n\n"
            "$CATEGORY: $course$/top/メール\n\nb{T}\n\n$CATEGORY: $course$/top/In//Out\nc{T}\n\n"
            "$CATEGORY: $course$/top\n\nd{T}")
    questions, errors = parse_gift(text, "x")
    assert errors == []
    assert [q.tags for q in questions] == [("password-rules",), (), ("in-out",), ()]


# Encodings


SAMPLE_TEXT = "::髙橋::①の端末はロックする。{T}\n"


@pytest.mark.parametrize("data", [SAMPLE_TEXT.encode("utf-8"), b"\xef\xbb\xbf" + SAMPLE_TEXT.encode("utf-8"),
                                  SAMPLE_TEXT.encode("cp932")], ids=["utf-8", "utf-8-bom", "cp932"])
def test_utf8_with_or_without_bom_and_cp932_decode_to_the_same_text(data: bytes):
    assert decode_gift(data) == SAMPLE_TEXT


def test_undecodable_bytes_are_reported_with_their_line():
    with pytest.raises(GiftError) as error:
        decode_gift("一行目\n二行目\n".encode() + b"\x81 \n")
    assert error.value.line == 3 and "UTF-8" in error.value.message


def test_utf16_broken_utf8_after_a_bom_and_latin1_are_reported_not_guessed():
    with pytest.raises(GiftError, match="UTF-16"):
        decode_gift("問題{T}".encode("utf-16"))
    with pytest.raises(GiftError):
        decode_gift(b"\xef\xbb\xbf" + "問題".encode("cp932"))
    with pytest.raises(GiftError):
        decode_gift("Caf\xe9 \xa0 ol\xe9 {T}".encode("latin-1"))


def test_windows_line_endings_keep_questions_and_line_numbers():
    questions, errors = parse_gift("a{T}\r\n\r\n::b::一行目\r\n二行目{F}\r\n\r\nc{}\r\n", "x")
    assert [q.text for q in questions] == ["a", "一行目\n二行目"] and [e.line for e in errors] == [6]


# Unsupported and broken constructs


def test_each_unsupported_construct_in_the_bad_sample_is_reported_on_its_line():
    questions, errors = parse_gift(decode_gift((GIFT / "bad.gift").read_bytes()), "bad")
    reported = {error.line: error.message for error in errors}
    assert "組み合わせ" in reported[3]
    assert "数値問題" in reported[8]
    assert "記述式" in reported[10]
    assert "説明文" in reported[12]
    assert "閉じていません" in reported[14]
    assert "正解がありません" in reported[19]
    assert "{T} か {F}" in reported[25]
    assert "画像" in reported[27]
    assert "部分点" in reported[29]
    assert len(errors) == 9 and questions == []


@pytest.mark.parametrize(("text", "line", "expected"), [
    ("前置き\n::t::本文 } {=a ~b ~c}", 2, "対応する { のない }"),
    ("::t::本文 {=a {~b} ~c}", 1, "{ の中に {"),
    ("::t::本文 {=a ~b ~c}\nと\n{=d ~e ~f}", 3, "2つ以上"),
    ("::t::本文 {T", 1, "閉じていません"),
    ("::タイトル 本文 {T}", 1, "::"),
    ("{=a ~b ~c}", 1, "問題文がありません"),
    ("問 {a ~b =c ~d}", 1, "= か ~ で始めて"),
    ("問 {=a =b ~c ~d}", 1, "正解（=）が2個"),
    ("問 {=a ~%50%b ~c ~d}", 1, "正の配点"),
    ("問 {=%50%a ~b ~c ~d}", 1, "「=」の選択肢"),
    ("問 {~%150%a ~b ~c}", 1, "-100% から 100%"),
    ("問 {~%50%a ~%30%b ~c}", 1, "合計が 80%"),
    ("問 {~%70%a ~%30%b ~c}", 1, "揃っていません"),
    ("問 {=a ~a ~c}", 1, "重複"),
    ("問 {=a ~ ~c}", 1, "空の選択肢"),
    ("問 {=%0%a =%0%b}", 1, "正解（100% の解答）がありません"),
    ("問 {=a =}", 1, "空の解答"),
])
def test_broken_gift_is_reported_on_the_line_where_it_is(text: str, line: int, expected: str):
    [(reported_line, message)] = errors_of(text)
    assert reported_line == line and expected in message, message


@pytest.mark.parametrize(("choices", "expected"), [
    ("=はい ~いいえ", "{T} か {F}"),
    ("=1 ~2 ~3 ~4 ~5 ~6 ~7", "選択肢が7個あります。択一問題は3〜6個"),
    ("~%50%1 ~%50%2", "{T} か {F}"),
    ("~%50%1 ~%50%2 ~3 ~4 ~5 ~6 ~7 ~8 ~9", "選択肢が9個あります。複数選択問題は3〜8個"),
])
def test_choice_counts_outside_our_limits_are_reported_not_changed(choices: str, expected: str):
    [(_line, message)] = errors_of(f"庁内LANは誰でも使える。{{{choices}}}")
    assert expected in message


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x0b", "\x0c", "\x1b", "\x7f", "\x9f", "\ufffe"])
def test_a_control_character_is_reported_on_its_line_even_in_a_comment(char: str):
    assert errors_of(f"ok{{T}}\n\n// x{char}\n問{char}題{{=a ~b ~c}}") == [
        (3, f"制御文字 U+{ord(char):04X} が含まれています。取り除いてから取り込んでください"),
        (4, f"制御文字 U+{ord(char):04X} が含まれています。取り除いてから取り込んでください"),
    ]


def test_an_empty_file_or_one_of_comments_only_is_an_error():
    assert errors_of("") == [(1, "問題が1つもありません")]
    assert errors_of("// コメントだけ\n\n$CATEGORY: $course$/top/x\n") == [(1, "問題が1つもありません")]


def test_good_questions_next_to_bad_ones_are_still_checked_one_by_one():
    questions, errors = parse_gift("a{T}\n\nb{#1}\n\nc{F}\n\nd{}", "x")
    assert [q.text for q in questions] == ["a", "c"] and [e.line for e in errors] == [3, 7]


# The written bank


def test_the_good_sample_imports_every_question_with_its_kind_and_tag():
    questions, errors = parse_gift(decode_gift((GIFT / "good.gift").read_bytes()), "security-gift")
    assert errors == []
    assert [(q.id, q.kind.value) for q in questions] == [
        ("password-strength", "single"), ("mfa-factors", "multiple"), ("symbols", "single"),
        ("q-004", "true_false"), ("usb-rules", "true_false"), ("q-006", "single"),
        ("incident-report", "multiple"), ("ransomware", "single"), ("rpa-term", "short_answer"),
        ("cia-html", "single"),
    ]
    assert questions[0].tags == ("passwords",) and questions[3].tags == ()
    assert questions[6].tags == ("incident-response",)


def test_the_written_bank_passes_load_bank_and_reads_back_the_same_questions(tmp_path: Path):
    questions, _ = parse_gift(decode_gift((GIFT / "good.gift").read_bytes()), "imported")
    assert without_lines(reloaded(questions, tmp_path)) == without_lines(questions)


def test_the_written_bank_is_laid_out_like_the_readme():
    question = Question(bank="b", id="tf-1", kind=QuestionKind.MULTIPLE, text="一行目\n二行目", explanation="解説",
                        tags=("mail",), choices=(Choice("A", True), Choice("B"), Choice("C")),
                        scoring=Scoring.PARTIAL)
    text = bank_yaml("b", "題名", [question, replace(question, id="tf-2")])
    assert text.startswith("bank: b\ntitle: 題名\nquestions:\n  - id: tf-1\n    kind: multiple\n    scoring: partial\n"
                           "    tags: [mail]\n    text: |\n      一行目\n      二行目\n    choices:\n"
                           "      - text: A\n        correct: true\n      - text: B\n")
    assert "\n\n  - id: tf-2\n" in text


_words = (st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30).map(str.strip)
          .filter(lambda text: text and not UNWRITABLE.search(text)))  # refused on import, tested above


@given(texts=st.lists(_words, min_size=5, max_size=5, unique=True), lines=st.lists(_words, min_size=1, max_size=3))
def test_any_text_round_trips_through_the_written_yaml(texts: list[str], lines: list[str]):
    question = Question(bank="imported", id="q-001", kind=QuestionKind.SINGLE, text="\n".join(lines),
                        explanation=texts[0], choices=(Choice(texts[1], True), Choice(texts[2]), Choice(texts[3])),
                        tags=("t",))
    short = Question(bank="imported", id="q-002", kind=QuestionKind.SHORT_ANSWER, text=texts[4],
                     explanation=texts[4], answers=tuple(texts[:3]))
    with tempfile.TemporaryDirectory() as folder:
        assert without_lines(reloaded([question, short], Path(folder))) == [question, short]


# The command


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(import_quiz, list(args))


def test_the_command_writes_a_good_file_as_a_bank_and_counts_its_kinds(tmp_path: Path):
    result = run(str(GIFT / "good.gift"), "--bank", "security-gift", "--title", "情報セキュリティ",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert result.output == (f"wrote {tmp_path / 'security-gift.yaml'}: 10 questions "
                             "(single: 5, multiple: 2, true_false: 2, short_answer: 1)\n")
    errors: list[SourceError] = []
    bank = load_bank(tmp_path / "security-gift.yaml", errors)
    assert errors == [] and bank.title == "情報セキュリティ" and len(bank.questions) == 10


def test_the_command_reads_cp932_and_names_the_bank_after_the_file_by_default(tmp_path: Path):
    source = tmp_path / "情報セキュリティ.gift"
    source.write_bytes((GIFT / "good.gift").read_text(encoding="utf-8").encode("cp932"))
    result = run(str(source), "--bank", "security-gift", "--out", str(tmp_path / "quizzes"))
    assert result.exit_code == 0, result.output
    assert "title: 情報セキュリティ\n" in (tmp_path / "quizzes" / "security-gift.yaml").read_text(encoding="utf-8")


def test_by_default_the_bank_goes_to_the_projects_quizzes_folder(tmp_path: Path, monkeypatch):
    project = tmp_path.resolve()
    monkeypatch.setattr("elearn.cli.content.PROJECT_ROOT", project)
    result = run(str(GIFT / "good.gift"), "--bank", "security-gift")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("wrote quizzes/security-gift.yaml: 10 questions (")
    assert (project / "quizzes" / "security-gift.yaml").is_file()


def test_a_bad_file_prints_every_error_by_line_and_writes_nothing(tmp_path: Path):
    result = run(str(GIFT / "bad.gift"), "--bank", "bad", "--out", str(tmp_path))
    assert result.exit_code != 0
    assert f"{GIFT / 'bad.gift'}:3: 組み合わせ問題" in result.output
    assert f"{GIFT / 'bad.gift'}:29: " in result.output
    assert "9 error(s)" in result.output and "nothing was written" in result.output
    assert list(tmp_path.iterdir()) == []


def test_an_undecodable_file_is_reported_and_nothing_is_written(tmp_path: Path):
    source = tmp_path / "broken.gift"
    source.write_bytes(b"ok{T}\n\n\x81 {T}\n")
    result = run(str(source), "--bank", "broken", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0 and f"{source}:3: 文字コード" in result.output
    assert not (tmp_path / "out").exists()


def test_a_nul_byte_is_reported_by_line_and_nothing_is_written(tmp_path: Path):
    source = tmp_path / "nul.gift"
    source.write_bytes("ok{T}\n\n問題\x00です{=a ~b ~c}\n".encode())
    result = run(str(source), "--bank", "nul", "--out", str(tmp_path / "out"))
    assert result.exit_code != 0 and f"{source}:3: 制御文字 U+0000" in result.output
    assert not (tmp_path / "out").exists()


def test_an_existing_bank_is_replaced_only_with_force(tmp_path: Path):
    target = tmp_path / "security-gift.yaml"
    target.write_text("old", encoding="utf-8")
    refused = run(str(GIFT / "good.gift"), "--bank", "security-gift", "--out", str(tmp_path))
    assert refused.exit_code != 0 and "--force" in refused.output
    assert target.read_text(encoding="utf-8") == "old"
    forced = run(str(GIFT / "good.gift"), "--bank", "security-gift", "--out", str(tmp_path), "--force")
    assert forced.exit_code == 0, forced.output
    assert target.read_text(encoding="utf-8").startswith("bank: security-gift\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["security-gift.yaml"]  # no temporary file left


@pytest.mark.parametrize("bank", ["Security", "日本語", "a_b", "-a"])
def test_a_bank_slug_that_could_not_be_a_file_name_is_refused(tmp_path: Path, bank: str):
    result = run(str(GIFT / "good.gift"), "--bank", bank, "--out", str(tmp_path))
    assert result.exit_code != 0 and "--bank" in result.output and list(tmp_path.iterdir()) == []
