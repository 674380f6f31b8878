"""Demo magazine: the scripted issues (`magazine_script`) drawn as comic pages, published on the last
Wednesdays (the newest one scheduled for next Wednesday), with readers, helpful votes, an inbox in every
state (38 items over three months, 14 of them topic ideas, as in Yamagata's first three months) and
stickers.

Only the clock decides the dates. Idempotent the simple way: if any issue exists, nothing is added.
"""

from __future__ import annotations

import functools
import random
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from elearn import db
from elearn.clock import TOKYO
from elearn.demo import magazine_script as content
from elearn.demo.comic import draw_page
from elearn.demo.people import PREFECTURE
from elearn.domain import magazine as rules
from elearn.domain.magazine import Audience, InboxKind, InboxStatus, StoredStatus
from elearn.domain.people import Permission
from elearn.models import (
    Course,
    InboxItem,
    MagazineHelpful,
    MagazineIssue,
    MagazineIssueCourse,
    MagazineIssuePerson,
    MagazineIssueTag,
    MagazinePage,
    MagazineRead,
    OrgUnit,
    RoleGrant,
    Sticker,
    User,
)
from elearn.services.magazine.page_images import ProcessedPage, process_page
from elearn.services.magazine.studio import stored_images

SEED = 714  # the first issue came out on 14 July
PAGE_WIDTH = 1000
# Issues about the prefecture's own systems are for its staff only.
PREFECTURE_ONLY = frozenset({"ヘルプデスクへの上手な聞き方"})
# The demo learner: read the magazine, sent an idea that became an issue and a question that was answered.
LEARNER = (PREFECTURE[0], "100001")

QUESTIONS = (
    ("Teamsの通知が鳴らない", "会議の通知が鳴らないことがあります。設定を確認する場所を教えてください。",
     "設定 → 通知とアクティビティ で「会議」をオンにしてください。Windowsの集中モードも確認を。"),
    ("PDFにページ番号を入れたい", "結合したPDFに通し番号を入れる方法はありますか。",
     "PDF編集ツールの「ヘッダーとフッター」で入れられます。手順書を庁内ポータルに載せました。"),
    ("共有フォルダの容量がいっぱい", "課の共有フォルダが容量不足と表示されます。",
     "古い年度のフォルダを保存年限に従って整理してください。増量は情報政策課へ申請できます。"),
    ("電子申請の様式を作りたい", "補助金の申請を電子申請にしたいのですが、どこから始めればよいですか。",
     "まずは紙の様式の項目を一覧にしてください。推進員が一緒に作ります。"),
    ("生成AIに議事録を要約させてよいか", "会議の録音から議事録を作るのにAIを使っても大丈夫ですか。", ""),
    ("Excelのマクロが動かない", "新しいPCで以前のマクロ付きファイルが開けません。", ""),
    ("パスワードの変更を忘れた", "期限が切れてサインインできません。",
     "ヘルプデスク（内線1234）で本人確認のうえ再設定します。"),
    ("RPAの対象業務の選び方", "うちの課で自動化できそうな業務を見てほしいです。", ""),
    ("Web会議で資料を共有できない", "画面共有のボタンが灰色のままです。",
     "主催者が発表者の設定を変えると共有できます。"),
    ("スキャナの文字認識", "紙の名簿を取り込んで表にしたいです。", ""),
    ("外部とのファイル共有", "委託先と大きなファイルをやり取りする方法は？",
     "庁内のファイル受け渡しサービスを使ってください。メール添付は10MBまでです。"),
    ("オンライン研修の受講方法", "DX研修の動画はどこで見られますか。",
     "このサイトの「わたしの学習」から受講できます。"),
)
IDEA_STATES = (InboxStatus.NEW, InboxStatus.IN_PROGRESS, InboxStatus.DECLINED)
IDEAS = (
    "会議室予約の空き確認をもっと簡単に", "よく使うショートカットキー特集", "Excelの入力規則で入力ミスを防ぐ",
    "紙の回覧をTeamsに置き換えた話", "音声入力で議事録のたたき台", "スマホで撮った写真の位置情報に注意",
    "フォームでアンケート集計を自動化", "PDFに電子印を押す手順", "画面のスクリーンショットの撮り方",
    "個人情報を含むファイルの名前の付け方", "窓口の待ち時間を見える化", "ペーパーレス会議のコツ",
    "RPAで申請データを転記", "共有カレンダーで課の予定を見える化",
)


def load_demo_magazine(session: Session, now: datetime) -> int:
    """Add the issues inside the caller's write transaction; returns how many were added."""
    if session.scalar(select(func.count()).select_from(MagazineIssue)):
        return 0
    prefecture = session.scalar(select(OrgUnit).where(OrgUnit.code == PREFECTURE[0]))
    editor = session.scalar(select(User).join(RoleGrant, RoleGrant.user_id == User.id).where(
        RoleGrant.permission == Permission.AUTHOR, User.body_id == prefecture.id).order_by(User.id).limit(1))
    if prefecture is None or editor is None:
        return 0
    for grant in editor.grants:
        if grant.permission == Permission.AUTHOR:
            grant.is_editor = True
    rng = random.Random(SEED)
    staff = list(session.scalars(select(User).where(User.is_active.is_(True)).order_by(User.id)))
    pref_staff = [user for user in staff if user.body_id == prefecture.id]
    learner = next((user for user in pref_staff if user.staff_number == LEARNER[1]), pref_staff[0])
    courses = dict(session.execute(select(Course.slug, Course.id)).all())
    next_slot = rules.next_wednesday(now)
    scripts = content.load_issues()
    count = len(scripts)
    issues = []
    for index, source in enumerate(scripts):
        guests = rng.sample([user for user in pref_staff if user.id not in (learner.id, editor.id)], 2)
        publish_at = next_slot - timedelta(weeks=count - 1 - index)
        issues.append(_issue(session, index + 1, source, guests, editor, publish_at, courses))
    _draft(session, count + 1, editor)
    published = [issue for issue in issues if issue.publish_at <= now]
    # The demo learner has read nothing: a first visit shows new issues, and the browser test counts its read.
    _reads(session, rng, published, [user for user in staff if user.id != learner.id], prefecture.id, now)
    _inbox(session, rng, issues, staff, learner, editor, now)
    _stickers(session, published, editor)
    return len(issues)


def _surname(user: User) -> str:
    return user.name.replace("\u3000", " ").split(" ")[0] + "さん"


@functools.lru_cache(maxsize=64)
def _drawn_page(page: content.DemoPage, cast: tuple[tuple[str, str], ...], number: int, position: int) -> ProcessedPage:
    """Drawing and encoding take about a tenth of a second a page; a process loading the demo again
    (the tests do) reuses them."""
    png = draw_page(page, dict(cast), issue_number=number, page_number=position, width=PAGE_WIDTH)
    return process_page(png)


def _issue(session: Session, number: int, source: content.DemoIssue, guests: list[User], editor: User,
           publish_at: datetime, courses: dict[str, int]) -> MagazineIssue:
    cast = {"guest": _surname(guests[0]), "guest2": _surname(guests[1])}
    issue = MagazineIssue(
        number=number, title=source.title, summary=source.summary, created_by_id=editor.id,
        audience=Audience.PREFECTURE if source.title in PREFECTURE_ONLY else Audience.SHARED,
        stored_status=StoredStatus.APPROVED, publish_at=publish_at, submitted_at=publish_at - timedelta(days=6),
        approved_at=publish_at - timedelta(days=5), approved_by_id=editor.id,
        created_at=publish_at - timedelta(days=9))
    issue.tag_rows = [MagazineIssueTag(tag=tag) for tag in source.tags]
    issue.course_rows = [MagazineIssueCourse(course_id=courses[slug]) for slug in source.related_courses
                         if slug in courses]
    issue.person_rows = [MagazineIssuePerson(user_id=guest.id) for guest in guests]
    for position, page in enumerate(source.pages, start=1):
        processed = _drawn_page(page, tuple(sorted(cast.items())), number, position)
        transcript = content.transcript(page, cast)
        row = MagazinePage(position=position, width=processed.width, height=processed.height,
                           is_spread=page.spread, transcript=transcript, search_text=rules.plain_text(transcript),
                           description=content.description(page, cast), uploaded_at=issue.created_at)
        row.images = stored_images(processed)
        issue.pages.append(row)
    session.add(issue)
    session.flush()
    return issue


def _draft(session: Session, number: int, editor: User) -> None:
    """A draft in the works (no pages yet), so the studio shows one."""
    session.add(MagazineIssue(number=number, title="年末年始のシステム停止に備える", created_by_id=editor.id,
                              summary="年末年始に止まるシステムと、休み前にしておくこと。", audience=Audience.SHARED,
                              tag_rows=[MagazineIssueTag(tag="お知らせ")]))


def _reads(session: Session, rng: random.Random, published: list[MagazineIssue], staff: list[User],
           prefecture_id: int, now: datetime) -> None:
    """Prefecture staff read more than municipal staff (it is their magazine); newer issues have had
    less time to be read."""
    reads, votes = [], []
    for issue in published:
        age = min(1.0, (now - issue.publish_at).days / 21 + 0.3)
        for user in staff:
            is_prefecture = user.body_id == prefecture_id
            if issue.audience is Audience.PREFECTURE and not is_prefecture:
                continue
            if rng.random() < (0.55 if is_prefecture else 0.2) * age:
                read_at = issue.publish_at + timedelta(minutes=rng.randint(5, 60 * 24 * 6))
                reads.append({"issue_id": issue.id, "user_id": user.id, "body_id": user.body_id,
                              "read_at": min(read_at, now)})
                if rng.random() < 0.18:
                    votes.append({"issue_id": issue.id, "user_id": user.id, "voted_at": min(read_at, now)})
    if reads:
        session.execute(MagazineRead.__table__.insert(), reads)
    if votes:
        session.execute(MagazineHelpful.__table__.insert(), votes)


def _inbox(session: Session, rng: random.Random, issues: list[MagazineIssue], staff: list[User], learner: User,
           editor: User, now: datetime) -> None:
    """Questions and ideas over the last three months, in every status."""
    senders = [user for user in staff if user.id != editor.id]
    start = now - timedelta(days=91)
    items: list[InboxItem] = []
    for index, (subject, body, reply) in enumerate(QUESTIONS * 2):
        sender = learner if index == 0 else rng.choice(senders)
        received = start + timedelta(minutes=rng.randint(0, 60 * 24 * 88))
        if reply:
            status, replied = InboxStatus.ANSWERED, received + timedelta(hours=rng.randint(2, 72))
        else:
            status, replied = rng.choice((InboxStatus.NEW, InboxStatus.IN_PROGRESS)), None
        items.append(InboxItem(kind=InboxKind.QUESTION, sender_id=sender.id, subject=subject, body=body,
                               status=status, reply=reply if replied else "",
                               replied_at=min(replied, now) if replied else None, received_at=received,
                               anonymous=rng.random() < 0.15,
                               assignee_id=editor.id if status is not InboxStatus.NEW else None))
    adoptable = [issue for issue in issues if issue.number > 2]
    for index, subject in enumerate(IDEAS):
        sender = learner if index == 0 else rng.choice(senders)
        received = start + timedelta(minutes=rng.randint(0, 60 * 24 * 80))
        status, adopted_id, adopted_at, reply, notes = IDEA_STATES[index % 3], None, None, "", ""
        if index < 6:  # adopted: five for published issues, the last for the scheduled one
            issue = adoptable[-1] if index == 5 else adoptable[index]
            status, adopted_id, adopted_at = InboxStatus.ADOPTED, issue.id, issue.publish_at - timedelta(days=7)
            reply = f"第{issue.number}号で取り上げます。ありがとうございました！"
            received = min(received, issue.publish_at - timedelta(days=10))
        elif status is InboxStatus.DECLINED:
            reply = "似た内容を最近取り上げたため、今回は見送ります。"
        elif status is InboxStatus.IN_PROGRESS:
            notes = "次回の企画会議で検討"
        items.append(InboxItem(kind=InboxKind.IDEA, sender_id=sender.id, subject=subject,
                               body=f"{subject}を特集してほしいです。", status=status, adopted_issue_id=adopted_id,
                               adopted_at=adopted_at, reply=reply,
                               replied_at=received + timedelta(days=2) if reply else None, received_at=received,
                               anonymous=index == 3, internal_notes=notes,
                               assignee_id=editor.id if status is not InboxStatus.NEW else None))
    session.add_all(items)


def _stickers(session: Session, published: list[MagazineIssue], editor: User) -> None:
    """Stickers handed out for good use of digital tools at work, as the seed's team did."""
    reasons = ("RPAで申請データの転記を自動化", "紙の回覧をチャットに置き換え",
               "Excel台帳を一つに統合し別媒体にバックアップ")
    for reason, issue in zip(reasons, published[2:5], strict=False):
        person = issue.person_rows[0].user_id
        session.add(Sticker(user_id=person, reason=reason, issue_id=issue.id, awarded_by_id=editor.id,
                            awarded_at=issue.publish_at))


def summary(now: datetime) -> str:
    """One line for the `demo` command."""
    session = db.session()
    issues = list(session.scalars(select(MagazineIssue).order_by(MagazineIssue.number)))
    out = sum(1 for issue in issues if rules.is_visible_to_readers(issue.stored_status, issue.publish_at, now))
    waiting = [issue for issue in issues if issue.status_at(now) == rules.IssueStatus.SCHEDULED]
    inbox = session.scalar(select(func.count()).select_from(InboxItem))
    reads = session.scalar(select(func.count()).select_from(MagazineRead))
    upcoming = ", ".join(f"No. {issue.number} at {issue.publish_at.astimezone(TOKYO):%Y-%m-%d %H:%M} JST"
                         for issue in waiting)
    return (f"Magazine: {out} issues out, {len(waiting)} scheduled ({upcoming or 'none'}), {reads} reads, "
            f"{inbox} inbox items")
