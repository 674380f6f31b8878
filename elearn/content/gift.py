"""Moodle GIFT question files -> Questions; whatever elearn cannot represent is reported by line, never dropped.

The syntax follows Moodle's own importer (question/format/gift/format.php): blank lines separate questions,
`//` lines are comments, the last `####` in the braces starts the general feedback, true/false feedback is
`{T#when wrong#when right}`, answers default to the question text's `[format]`. Messages are in Japanese
because the admins who migrate their Moodle banks read them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal

from elearn.content.banks import CHOICE_LIMITS
from elearn.content.fields import UNWRITABLE, code_point
from elearn.content.plain_text import html_to_text, markdown_to_html
from elearn.domain.answers import may_match_the_same
from elearn.domain.quiz import Choice, Question, QuestionKind, Scoring

BLANK = "（　　）"  # where a missing-word question's braces stood
TRUE_WORDS, FALSE_WORDS = {"T", "TRUE"}, {"F", "FALSE"}  # upper case only: Moodle reads {t} as a short answer
KIND_NAMES = {QuestionKind.SINGLE: "択一問題", QuestionKind.MULTIPLE: "複数選択問題"}

# Escaped characters become Unicode noncharacters while parsing, so a `\~` never splits choices; they are
# turned back into the character itself once a piece of text has been cut out.
_ESCAPABLE = "\\:#={}~n"
_HOLDERS = {char: chr(0xFDD0 + index) for index, char in enumerate(_ESCAPABLE)}
_RESTORE = str.maketrans({holder: ("\n" if char == "n" else char) for char, holder in _HOLDERS.items()})
_ESCAPE = re.compile(r"\\([\\:#={}~n])")
_FORMAT = re.compile(r"\[(html|moodle|plain|markdown)\]")
_WEIGHT = re.compile(r"%(-?\d+(?:\.\d+)?)%")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_HTML_MEDIA = re.compile(r"<(?:img|audio|video|iframe|object|embed)\b", re.IGNORECASE)


@dataclass(frozen=True)
class GiftError(Exception):
    line: int  # 1-based, in the GIFT file
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.message}"


def decode_gift(data: bytes) -> str:
    """UTF-8 (with or without BOM) or CP932 text; raises GiftError for anything else."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise GiftError(1, "UTF-16 には対応していません。UTF-8 か Shift_JIS (CP932) で保存してください")
    try:
        return data.decode("utf-8-sig")  # strict: a wrong guess must fail, not produce mojibake
    except UnicodeDecodeError as error:
        if data.startswith(b"\xef\xbb\xbf"):  # a BOM says UTF-8: CP932 would only hide the broken byte
            raise _undecodable(data, error) from None
        first_failure = error
    try:
        # CP932, never shift_jis: Windows editors write the NEC/IBM extensions (髙, ①) that Shift_JIS lacks.
        text = data.decode("cp932")
    except UnicodeDecodeError:
        raise _undecodable(data, first_failure) from None
    # Python's cp932 turns the stray single bytes A0, FD-FF (never written by Japanese editors, common in
    # Latin-1 or binary files) into private-use characters instead of failing.
    if any("\uf8f0" <= char <= "\uf8f3" for char in text):
        raise _undecodable(data, first_failure)
    return text


def _undecodable(data: bytes, error: UnicodeDecodeError) -> GiftError:
    line = data[: error.start].count(b"\n") + 1
    return GiftError(line, "文字コードを判別できません。UTF-8 か Shift_JIS (CP932) で保存してください")


def parse_gift(text: str, bank: str) -> tuple[list[Question], list[GiftError]]:
    """Every question of a GIFT file, or every problem; callers must not use the questions if there are errors."""
    questions: list[Question] = []
    text = text.removeprefix("\ufeff")
    errors = _unwritable_characters(text)
    tags: tuple[str, ...] = ()
    used_ids: set[str] = set()
    position = 0
    for block in _blocks(text):
        if block[0][1].startswith("$CATEGORY:"):
            tag = _category_tag(block.pop(0)[1].removeprefix("$CATEGORY:"))
            tags = (tag,) if tag else ()
            if not block:
                continue
        position += 1
        try:
            title, question = _question(block, bank, tags)
        except GiftError as error:
            errors.append(error)
            continue
        questions.append(replace(question, id=_unique(_base_id(title, position), used_ids)))
    if not questions and not errors:
        errors.append(GiftError(1, "問題が1つもありません"))
    return questions, sorted(errors, key=lambda error: error.line)


def _unwritable_characters(text: str) -> list[GiftError]:
    """NUL and other control characters, on every line they are on: load_bank would refuse them (content sync)."""
    return [GiftError(number, f"制御文字 {code_point(match[0])} が含まれています。取り除いてから取り込んでください")
            for number, line in enumerate(_LINE_BREAK.split(text), start=1) if (match := UNWRITABLE.search(line))]


def _blocks(text: str) -> list[list[tuple[int, str]]]:
    """The (line number, text) of each question's non-comment lines.

    Lines keep their indentation, as in Moodle: it matters inside <pre> and in Markdown; texts in the other
    formats are stripped line by line later.
    """
    blocks: list[list[tuple[int, str]]] = [[]]
    # Only real line breaks count: str.splitlines would also split on \x0c or \u2028 and shift line numbers.
    for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
        line = raw.strip()
        if not line:
            blocks.append([])
        elif not line.startswith("//"):  # a comment line still belongs to its block, as in Moodle
            blocks[-1].append((number, raw.rstrip() if blocks[-1] else line))
    return [block for block in blocks if block]


def _question(block: list[tuple[int, str]], bank: str, tags: tuple[str, ...]) -> tuple[str, Question]:
    text = _ESCAPE.sub(lambda match: _HOLDERS[match[1]], "\n".join(part for _, part in block)).strip()
    line = block[0][0]
    title, body_start = "", 0
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            raise GiftError(line, "タイトルの「::」が閉じていません（文字としてのコロンは \\: と書きます）")
        title, body_start = _restore(text[2:end]).strip(), end + 2
    start, end = _answer_braces(text, body_start, [number for number, _ in block])
    after = text[end + 1 :]
    # Text after the braces makes it Moodle's missing-word form: the braces mark the blank.
    stem = text[body_start:start] + (BLANK + after if after.strip() else "")
    text_format, stem = _split_format(stem.strip(), "moodle")
    question_text = _plain(stem, text_format, line)
    if not question_text:
        raise GiftError(line, "問題文がありません")
    answer = text[start + 1 : end]
    general = ""
    if (separator := answer.rfind("####")) >= 0:
        general = _plain(answer[separator + 4 :], text_format, line)
        answer = answer[:separator]
    answer = answer.strip()
    if not answer:
        raise GiftError(line, "記述式の問題（{}）には対応していません")
    if answer.startswith("#"):
        raise GiftError(line, "数値問題（{#…}）には対応していません。短答問題（{=42 =四十二}）に書き換えてください")
    if "~" not in answer and "->" in answer:
        raise GiftError(line, "組み合わせ問題（=… -> …）には対応していません")
    if "~" in answer:
        build = _choice_question
    elif answer.split("#", 1)[0].strip() in TRUE_WORDS | FALSE_WORDS:  # case-sensitive as in Moodle: {t} is short
        build = _true_false_question
    else:
        build = _short_answer_question
    fields = build(answer, text_format, general, line)
    return title, Question(bank=bank, id="", text=question_text, tags=tags, line=line, **fields)


def _answer_braces(text: str, body_start: int, numbers: list[int]) -> tuple[int, int]:
    """Offsets of the one `{` and `}` pair; unbalanced or repeated braces are reported where they are."""

    def line_at(offset: int) -> int:  # escapes are never replaced by a newline, so counting them is exact
        return numbers[text.count("\n", 0, offset)]

    pairs: list[tuple[int, int]] = []
    opened = -1
    for offset in range(body_start, len(text)):
        char = text[offset]
        if char == "{":
            if opened >= 0:
                raise GiftError(line_at(offset), "{ の中に { があります（文字としては \\{ と書きます）")
            opened = offset
        elif char == "}":
            if opened < 0:
                raise GiftError(line_at(offset), "対応する { のない } があります（文字としては \\} と書きます）")
            pairs.append((opened, offset))
            opened = -1
    if opened >= 0:
        raise GiftError(line_at(opened), "{ が閉じていません")
    if not pairs:
        raise GiftError(numbers[0], "解答欄 { … } のない項目（説明文）には対応していません")
    if len(pairs) > 1:
        raise GiftError(line_at(pairs[1][0]), "解答欄 { … } が2つ以上あります。1問に1つだけにしてください")
    return pairs[0]


@dataclass(frozen=True)
class _Option:
    text: str
    weight: Decimal  # percent; `=` counts as 100
    feedback: str
    is_marked_right: bool  # written with `=`


def _choice_question(answer: str, text_format: str, general: str, line: int) -> dict:
    parts = re.split(r"([=~])", answer)
    if parts[0].strip():
        raise GiftError(line, f"選択肢は = か ~ で始めてください（「{_restore(parts[0]).strip()}」）")
    options = [_option(marker, raw, text_format, line) for marker, raw in zip(parts[1::2], parts[2::2], strict=True)]
    # Moodle's own rule: any `=` makes it a one-answer question; otherwise every positive weight is right.
    is_single = any(o.is_marked_right for o in options)
    kind = QuestionKind.SINGLE if is_single else QuestionKind.MULTIPLE
    right = [o for o in options if (o.is_marked_right if is_single else o.weight > 0)]
    return {
        "kind": kind, "scoring": _check_choices(kind, options, right, line),
        "choices": tuple(Choice(o.text, o in right) for o in options),
        "explanation": _explained(general, [(o.text, o.feedback) for o in right],
                                  [(o.text, o.feedback) for o in options if o not in right], _chosen),
    }


def _option(marker: str, raw: str, text_format: str, line: int) -> _Option:
    weight, text, feedback = _weighted(raw, 100 if marker == "=" else 0)
    if marker == "=" and weight != 100:
        raise GiftError(line, f"「=」の選択肢に %{weight}% は付けられません。部分点は ~%{weight}% と書きます")
    if not -100 <= weight <= 100:
        raise GiftError(line, f"配点 %{weight}% は -100% から 100% の間にしてください")
    option = _Option(_plain(text, text_format, line), weight, _plain(feedback, text_format, line), marker == "=")
    if not option.text:
        raise GiftError(line, "空の選択肢があります")
    return option


def _check_choices(kind: QuestionKind, options: list[_Option], right: list[_Option], line: int) -> Scoring:
    """The limits of courses/README.md, and Moodle weights elearn's grading cannot reproduce."""
    name = KIND_NAMES[kind]
    low, high = CHOICE_LIMITS[kind]
    if len(options) == 2:
        raise GiftError(line, f"選択肢が2つしかありません。{name}は{low}〜{high}個必要です。"
                              "正しいか誤りかを問うなら {T} か {F} の○×問題にしてください")
    if not low <= len(options) <= high:
        raise GiftError(line, f"選択肢が{len(options)}個あります。{name}は{low}〜{high}個にしてください")
    texts = [o.text for o in options]
    if duplicate := next((t for t in texts if texts.count(t) > 1), None):
        raise GiftError(line, f"選択肢「{duplicate}」が重複しています")
    if kind is QuestionKind.SINGLE:
        if len(right) > 1:
            raise GiftError(line, f"正解（=）が{len(right)}個あります。複数正解は ~%50% のように配点で書きます")
        if partial := next((o for o in options if not o.is_marked_right and o.weight > 0), None):
            raise GiftError(line, f"「{partial.text}」に正の配点があります。= のある問題は正解1つだけで採点します")
        return Scoring.ALL_OR_NOTHING
    if not right:
        raise GiftError(line, "正解がありません。= か、正の配点（~%50%）の選択肢が必要です")
    total = sum(o.weight for o in right)
    if round(total / 100, 2) != 1:  # Moodle's own tolerance, so 3 x 33.33333% is fine
        raise GiftError(line, f"正の配点の合計が {total}% です。100% にしてください")
    if any(abs(o.weight - total / len(right)) > Decimal("0.1") for o in right):
        raise GiftError(line, "正解の配点が揃っていません。elearn の部分点は正解ごとに均等です。同じ配点にしてください")
    # One right choice scores the same either way; several carry fractional weights, i.e. partial credit.
    return Scoring.PARTIAL if len(right) > 1 else Scoring.ALL_OR_NOTHING


def _true_false_question(answer: str, text_format: str, general: str, line: int) -> dict:
    word, wrong_feedback, right_feedback = ([*answer.split("#", 2), "", ""])[:3]
    value = word.strip() in TRUE_WORDS
    right, wrong = ("正しい", "誤り") if value else ("誤り", "正しい")  # the UI's labels for True and False
    explanation = _explained(general, [(right, _plain(right_feedback, text_format, line))],
                             [(wrong, _plain(wrong_feedback, text_format, line))], _chosen)
    return {"kind": QuestionKind.TRUE_FALSE, "answer": value, "explanation": explanation}


def _short_answer_question(answer: str, text_format: str, general: str, line: int) -> dict:
    parts = answer.split("=")
    if not parts[0].strip():
        parts = parts[1:]  # Moodle, too, accepts a lone `{answer}` without `=`
    right: list[tuple[str, str]] = []
    wrong: list[tuple[str, str]] = []  # 0% answers score like any answer not listed; only their feedback stays
    weights: list[tuple[Decimal, str]] = []
    for raw in parts:
        weight, text, feedback = _weighted(raw, 100)
        text = _plain(text, text_format, line)
        if not text:
            raise GiftError(line, "空の解答があります")
        if weight not in (0, 100):
            raise GiftError(line, f"解答「{text}」の部分点（{weight}%）には対応していません。100% か 0% にしてください")
        (right if weight else wrong).append((text, _plain(feedback, text_format, line)))
        weights.append((weight, text))
    if not right:
        raise GiftError(line, "正解（100% の解答）がありません")
    _check_answer_order([(text, weight) for weight, text in weights], line)
    accepted = list(dict.fromkeys(text for text, _ in right))
    explanation = _explained(general, right, wrong, _answered)
    return {"kind": QuestionKind.SHORT_ANSWER, "answers": tuple(accepted), "explanation": explanation}


def _check_answer_order(answers: list[tuple[str, Decimal]], line: int) -> None:
    """Moodle grades by the first answer that matches; dropping a 0% answer must not change a grade."""
    for index, (wrong, weight) in enumerate(answers):
        if weight:
            continue
        if right := next((text for text, w in answers[index + 1 :] if w and may_match_the_same(wrong, text)), None):
            raise GiftError(line, f"0% の解答「{wrong}」が後ろの正解「{right}」と同じ解答に当てはまります。Moodle は"
                                  "先に書かれた 0% の解答で採点しますが、elearn の問題バンクは 0% の解答を持てません。"
                                  "重ならないように書き直してください")


def _weighted(raw: str, default: int) -> tuple[Decimal, str, str]:
    """(weight in percent, text, feedback) of one answer written `%50%text#feedback`."""
    raw = raw.strip()
    match = _WEIGHT.match(raw)
    text, _, feedback = raw[match.end() if match else 0 :].partition("#")
    return Decimal(match[1]) if match else Decimal(default), text, feedback


def _split_format(text: str, default: str) -> tuple[str, str]:
    match = _FORMAT.match(text)
    return (match[1], text[match.end() :]) if match else (default, text)


def _plain(raw: str, default_format: str, line: int) -> str:
    """A piece of GIFT text as plain text: format prefix gone, escapes restored, HTML and Markdown as shown."""
    text_format, text = _split_format(raw.strip(), default_format)
    if text_format not in ("html", "markdown"):
        return _restore("\n".join(part.strip() for part in text.split("\n"))).strip()
    text = _restore(text)
    html = markdown_to_html(text) if text_format == "markdown" else text
    if _HTML_MEDIA.search(html):
        raise GiftError(line, "画像・音声・動画を含む問題は取り込めません（ファイルは GIFT に含まれません）")
    return html_to_text(html).strip()


def _restore(text: str) -> str:
    return text.translate(_RESTORE)


def _explained(general: str, right: list[tuple[str, str]], wrong: list[tuple[str, str]],
               when: Callable[[str], str]) -> str:
    """One explanation holding every feedback of the question, since a bank has no feedback per answer.

    It starts as before (general feedback, else the right answers' feedback, else the right answers), then
    names each answer whose feedback it does not hold yet: 「付箋に書く」を選んだ場合: 見られます。
    """
    head = general or _joined(feedback for _, feedback in right) or _stated(text for text, _ in right)
    pending = (right if general else []) + wrong
    return _joined([head, *(when(text) + feedback for text, feedback in pending if feedback)])


def _chosen(text: str) -> str:
    return f"「{text}」を選んだ場合: "


def _answered(text: str) -> str:
    return "ほかの解答の場合: " if text.strip("*") == "" else f"「{text}」と答えた場合: "


def _joined(feedbacks: Iterable[str]) -> str:
    return "\n".join(dict.fromkeys(f for f in feedbacks if f))


def _stated(answers: Iterable[str]) -> str:
    return "正解は" + "".join(f"「{a}」" for a in answers) + "です。"


def _slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def _category_tag(path: str) -> str:
    # `//` is a literal slash in a Moodle category name; `$course$` and `top` are Moodle's plumbing, not topics.
    parts = [p.replace("\0", "/").strip() for p in path.replace("//", "\0").split("/")]
    topics = [p for p in parts if p and p != "top" and not re.fullmatch(r"\$\w+\$", p)]
    return _slugify(topics[-1]) if topics else ""


def _base_id(title: str, position: int) -> str:
    slug = _slugify(title) if title.isascii() else ""
    return slug or f"q-{position:03d}"


def _unique(base: str, used: set[str]) -> str:
    candidate, suffix = base, 2
    while candidate in used:
        candidate, suffix = f"{base}-{suffix}", suffix + 1
    used.add(candidate)
    return candidate
