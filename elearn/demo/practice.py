"""Demo quiz attempts and workshop submissions, so that the question statistics and the review queue have
something to show.

Each completion of a course with a quiz gets the attempts that led to it: questions drawn from today's bank
as a real attempt draws them, answered by a simulated learner, and graded by the real grader; a failed first
attempt is followed by another. Question difficulty is simulated (by kind, with a fixed per-question spread),
so the statistics page shows a realistic spread, not measured difficulty. A few staff of the demo manager's
department have workshops waiting, returned and accepted.
"""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from elearn.clock import TOKYO
from elearn.content.model import Course as CourseSource
from elearn.domain import attempts as rules
from elearn.domain.grading import grade_attempt
from elearn.domain.people import Tier
from elearn.domain.quiz import Question, QuestionKind
from elearn.domain.workshops import SubmissionStatus
from elearn.models import Completion, Course, OrgUnit, QuizAttempt, User, WorkshopSubmission
from elearn.services.learning import content
from elearn.services.learning.quiz import settings_of
from elearn.services.learning.quiz_snapshot import as_response, question_of, snapshot

SEED = 2026
ATTEMPTS_PER_COURSE = 120  # the most recent completions of each course get their attempts
EASE_BY_KIND = {QuestionKind.TRUE_FALSE: 0.93, QuestionKind.SINGLE: 0.88, QuestionKind.SHORT_ANSWER: 0.8,
                QuestionKind.MULTIPLE: 0.76, QuestionKind.ORDERING: 0.72}
REVIEWING_DEPARTMENT = "P100"  # the demo manager's department


def load_demo_practice(session: Session, body_ids: list[int], now: datetime) -> int:
    """Attempts and submissions inside the caller's transaction; nothing if the demo already has attempts."""
    if session.scalar(select(QuizAttempt.id).join(User, User.id == QuizAttempt.user_id)
                      .where(User.body_id.in_(body_ids)).limit(1)) is not None:
        return 0
    tree = content.tree()
    rng = random.Random(SEED)
    added = 0
    courses = session.scalars(select(Course).where(Course.is_active).options(selectinload(Course.versions))
                              .order_by(Course.slug))
    for course in courses:
        source = tree.course(course.slug)
        if source is None or not source.has_quiz or source.quiz.bank not in tree.banks:
            continue
        added += _attempts_for(session, rng, course, tree.banks[source.quiz.bank].questions, body_ids)
    added += _workshops(session, rng, tree.courses, now)
    return added


def _attempts_for(session: Session, rng: random.Random, course: Course, bank: tuple[Question, ...],
                  body_ids: list[int]) -> int:
    completions = session.scalars(
        select(Completion).where(Completion.course_id == course.id, Completion.course_version_id.is_not(None),
                                 Completion.attempt_id.is_(None), Completion.body_id.in_(body_ids))
        .order_by(Completion.completed_at.desc(), Completion.id).limit(ATTEMPTS_PER_COURSE)).all()
    added = 0
    for completion in completions:
        version = next(v for v in course.versions if v.id == completion.course_version_id)
        settings = settings_of(version)
        ability = rng.uniform(-0.12, 0.08)
        last = settings.max_attempts or 3
        for number in range(1, last + 1):
            finish = completion.completed_at - timedelta(days=2 * (last - number) if number < last else 0)
            drawn = rules.draw_questions(bank, settings, rng)
            stored = [snapshot(q, rules.present(q, rng)) for q in drawn]
            forced = number == last  # whoever completed passed in the end
            responses = {q["id"]: _answer(rng, q, forced or rng.random() < _ease(q, ability + 0.06 * number))
                         for q in stored}
            graded = grade_attempt([question_of(q) for q in stored],
                                   {q["id"]: as_response(q, responses[q["id"]]) for q in stored},
                                   settings.passing_score)
            attempt = QuizAttempt(
                course_id=course.id, course_version_id=version.id, user_id=completion.user_id, number=number,
                started_at=finish - timedelta(minutes=rng.randint(6, 18)), submitted_at=finish, sequence=1,
                questions=stored, responses=responses, score=Decimal(float(graded.score)).quantize(Decimal("0.01")),
                results=[{"id": r.question_id, "score": str(r.score), "correct": r.is_correct}
                         for r in graded.results], passed=graded.passed)
            session.add(attempt)
            added += 1
            if graded.passed:
                session.flush()
                completion.attempt_id = attempt.id
                break
            if forced:
                break
    return added


def _ease(question: dict, ability: float) -> float:
    """The chance of a right answer: by kind, less a fixed spread per question, plus the learner's ability."""
    spread = int(hashlib.sha256(question["id"].encode()).hexdigest()[:4], 16) / 0xFFFF * 0.3
    return min(0.98, max(0.25, EASE_BY_KIND[QuestionKind(question["kind"])] - spread + ability))


def _answer(rng: random.Random, question: dict, right: bool) -> object:
    """A response in the bank's own indices (as services/learning/quiz_snapshot stores them)."""
    kind = QuestionKind(question["kind"])
    choices = question["choices"]
    correct = [i for i, choice in enumerate(choices) if choice["correct"]]
    wrong = [i for i, choice in enumerate(choices) if not choice["correct"]]
    if kind is QuestionKind.SINGLE:
        return correct[0] if right or not wrong else rng.choice(wrong)
    if kind is QuestionKind.MULTIPLE:
        if right or not wrong:
            return correct
        return sorted(set(correct[1:]) | {rng.choice(wrong)})
    if kind is QuestionKind.TRUE_FALSE:
        return question["answer"] if right else not question["answer"]
    if kind is QuestionKind.SHORT_ANSWER:
        return question["answers"][0].replace("*", "") if right else "わかりません"
    order = list(range(len(question["items"])))
    if not right:
        i = rng.randrange(len(order) - 1)
        order[i], order[i + 1] = order[i + 1], order[i]
    return order


def _next_working_day(moment: datetime) -> date:
    day = moment.astimezone(TOKYO).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _working_hours(rng: random.Random, day: date) -> datetime:
    """A moment on that day (or the Friday before a weekend) between 9:00 and 17:00 in Japan."""
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return datetime.combine(day, time(rng.randint(9, 16), rng.randint(0, 59)), tzinfo=TOKYO).astimezone(UTC)


# --- workshops ----------------------------------------------------------------------------------------------

# A worksheet per course, one line per heading the workshop asks for (typed, as most learners submit).
WORKSHEET_LINES = {
    "bpr-rpa": (
        "業務名：会議室予約の受付",
        "頻度・件数：毎日、月約180件",
        "1件あたりの時間：約6分（電話と台帳への転記）",
        "紙／システム：紙の予約台帳とExcel",
        "ECRSの候補：排除（電話予約をやめ、庁内ポータルのフォームに一本化）、簡素化（台帳とExcelの二重記入をやめる）",
        "次の一歩：来月から1か月、フォームを試行し件数と時間を測る",
    ),
    "dx-leadership": (
        "今の課題：補助金の審査で、申請書の不備確認に担当者1人あたり月20時間かかっている",
        "目標（今年度末）：不備の差し戻し件数を半分にし、審査時間を月10時間に",
        "最初の小さな取組：よくある不備10項目を申請の手引きの冒頭に載せ、オンライン申請の入力チェックに反映する",
        "担当と時期：デジタル化リーダーの係長、7月まで",
        "進み具合の測り方：差し戻し件数と審査時間を毎月の課内会議で報告",
    ),
    "dx-talent-development": (
        "所属の体制：DXマネージャー1名（課長）、デジタル化リーダー1名（係長）、ほか8名",
        "受講計画：全職員研修を9月までに全員、デジタル化リーダーはBPR研修を上期に受講",
        "OJT：月1回、課内で「5分の改善共有」を行う",
        "学びの共有：デジタルマガジンの記事を朝礼で1つ紹介する",
    ),
    "service-design": (
        "手続：犬の登録と狂犬病予防注射済票の交付",
        "住民の行動：知る→調べる→窓口へ行く→書く→待つ→受け取る",
        "気持ちが下がる場面：平日しか窓口が開いていない、同じ内容を2枚に書く",
        "改善案：事前にオンラインで申請し、集合注射の会場で受け取れるようにする",
    ),
    "data-ebpm": (
        "施策：高齢者のスマートフォン教室",
        "インプット：講師2名、予算30万円",
        "活動：公民館で月2回の教室",
        "アウトプット：参加者数（年間240人）",
        "アウトカム：参加者のうちオンライン申請を使った人の割合（半年後のアンケート）",
        "データの出どころ：申込名簿（件数のみ）とアンケート",
    ),
    "procurement-standardization": (
        "対象：文書管理システムの更新",
        "業務で必要なこと：起案から保存までを紙に戻さずに行えること",
        "非機能要件：平日8時30分から18時まで稼働率99.5%以上、障害時は1時間以内に連絡",
        "契約終了時のデータ：標準的な形式で全件を返還し、事業者側の消去を証明させる",
        "RFIで聞く先：導入実績のある事業者3社と、近隣で同じシステムを使う団体",
    ),
}
RETURN_COMMENTS = ("件数と1件あたりの時間を書いてください。効果の見込みが計算できません。",
                   "改善案が「システムを入れる」だけになっています。ECRSのどれに当たるかも書いてください。")


def _workshops(session: Session, rng: random.Random, sources: tuple[CourseSource, ...], now: datetime) -> int:
    with_workshop = [source for source in sources if source.workshop and source.slug in WORKSHEET_LINES]
    department = session.scalar(select(OrgUnit).where(OrgUnit.code == REVIEWING_DEPARTMENT))
    if not with_workshop or department is None:
        return 0
    division_ids = [department.id, *(unit.id for unit in department.children)]
    people = session.scalars(select(User).where(User.division_id.in_(division_ids), User.is_active.is_(True),
                                                User.password_hash.is_(None)).order_by(User.staff_number)).all()
    courses = {course.slug: course for course in session.scalars(select(Course).options(
        selectinload(Course.versions)))}
    reviewer = next((user for user in session.scalars(select(User).where(User.division_id.in_(division_ids),
                                                                        User.password_hash.is_not(None)))
                     if any(grant.permission.value == "manager" for grant in user.grants)), None)
    added = 0
    candidates = [(person, source) for person in people for source in with_workshop
                  if source.tiers & (person.tiers - {Tier.ALL_STAFF})]
    rng.shuffle(candidates)
    seen: set[int] = set()
    plan = ("waiting", "waiting", "waiting", "returned_then_waiting", "returned", "accepted")
    for state in plan:
        person, source = next(((p, s) for p, s in candidates if p.id not in seen), (None, None))
        if person is None or source is None:
            break
        seen.add(person.id)
        course = courses[source.slug]
        submitted = _working_hours(rng, (now - timedelta(days=rng.randint(6, 12))).astimezone(TOKYO).date())
        reviewed = _working_hours(rng, _next_working_day(submitted))
        text = "\n".join(WORKSHEET_LINES[source.slug])
        first = WorkshopSubmission(user_id=person.id, course_id=course.id,
                                   course_version_id=course.current_version.id, round=1, text=text,
                                   submitted_at=submitted)
        session.add(first)
        added += 1
        if state in ("returned_then_waiting", "returned", "accepted") and reviewer is not None:
            first.reviewer_id = reviewer.id
            first.reviewed_at = reviewed
            first.status = SubmissionStatus.ACCEPTED if state == "accepted" else SubmissionStatus.RETURNED
            first.review_comment = ("具体的で、来月から試せる内容です。結果を課内会議で共有してください。"
                                    if state == "accepted" else rng.choice(RETURN_COMMENTS))
        if state == "returned_then_waiting":
            session.add(WorkshopSubmission(user_id=person.id, course_id=course.id,
                                           course_version_id=course.current_version.id, round=2,
                                           text=text + "\n（修正）件数と時間を追記しました。",
                                           submitted_at=_working_hours(rng, _next_working_day(reviewed))))
            added += 1
    return added
