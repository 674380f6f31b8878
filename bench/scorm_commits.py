"""Benchmark: 100 learners' SCORM packages committing at once (the end of a session-wide e-learning hour),
on SQLite and on PostgreSQL, against a bare UPDATE of the same attempt rows with the same data made the same
way (one transaction each, from the same number of threads).

Run with `python bench/scorm_commits.py [--learners 100] [--backends sqlite,postgresql]`. Each commit goes
through the package origin's commit route (token check, JSON, judging, the lesson and the course completed
and certified, since the demo's SCORM course has no quiz of ours). Prints key=value lines; exits 1 unless
every learner ends with one commit, a passed attempt and one completion.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import func, insert, select, update

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from scratch import postgres_databases  # noqa: E402  (bench/, the script's own folder)

from elearn import create_app, db, migrate  # noqa: E402
from elearn.domain.people import OrgKind  # noqa: E402
from elearn.models import Completion, Course, OrgUnit, ScormAttempt, User  # noqa: E402
from elearn.services.learning import content  # noqa: E402
from elearn.services.scorm import runtime  # noqa: E402

PACKAGES = "http://scorm.bench"
COURSE = "security-self-check"
CMI = {"core": {"lesson_status": "passed", "lesson_location": "4", "exit": "suspend",
                "score": {"raw": "100", "min": "0", "max": "100"}, "session_time": "00:04:30"},
       "suspend_data": "q1=b&q2=c&q3=a"}


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=100)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return parser.parse_args()


def populate(learners: int) -> tuple[list[str], list[int]]:
    """Staff, the content synced, and each learner's launch of the self-check: (tokens, bare rows' ids)."""
    with db.write_session() as session:
        body = OrgUnit(code="B000", name="ベンチ県", kind=OrgKind.PREFECTURE)
        session.add(body)
        session.flush()
        division = OrgUnit(code="B001", name="ベンチ課", kind=OrgKind.DIVISION, parent_id=body.id)
        session.add(division)
        session.flush()
        session.execute(insert(User), [
            {"body_id": body.id, "division_id": division.id, "staff_number": f"{index:06d}",
             "name": f"職員\u3000{index}", "kana": "", "is_active": True, "must_change_password": False,
             "session_token": f"t{index}"} for index in range(2 * learners)])
    content.sync(content.tree())
    course_id = db.session().scalar(select(Course.id).where(Course.slug == COURSE))
    source = content.tree().course(COURSE)
    lesson = source.lessons[0]
    users = list(db.session().scalars(select(User).order_by(User.id)))
    tokens = [runtime.launch(user, course_id, COURSE, lesson, lesson.scorm.items[0]) for user in users[:learners]]
    for user in users[learners:]:  # the bare updates' rows: attempts started the same way
        runtime.launch(user, course_id, COURSE, lesson, lesson.scorm.items[0])
    bare = list(db.session().scalars(select(ScormAttempt.id).where(
        ScormAttempt.user_id.in_([user.id for user in users[learners:]]))))
    return tokens, bare


def at_once(count: int, action) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=count) as pool:
        list(pool.map(action, range(count)))
    return time.perf_counter() - started


def run(backend: str, url: str, learners: int) -> bool:
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench-scorm", "SCORM_CONTENT_URL": PACKAGES,
                      "INSTANCE_PATH": tempfile.mkdtemp(prefix="elearn-bench-scorm-"),
                      "LIMITER_STORAGE": "memory://"})
    with app.app_context():
        tokens, bare = populate(learners)
    body = json.dumps({"cmi": CMI})
    failures: list[int] = []

    def commit(index: int) -> None:
        answer = app.test_client().post(f"/scorm/run/{tokens[index]}/commit", data=body, base_url=PACKAGES,
                                        content_type="text/plain;charset=UTF-8")
        if answer.status_code != 200 or not answer.get_json()["complete"]:
            failures.append(answer.status_code)

    def bare_update(index: int) -> None:
        with app.app_context(), db.write_session() as session:
            session.execute(update(ScormAttempt).where(ScormAttempt.id == bare[index]).values(
                cmi=CMI, status="passed", score=100.0, passed=True, commits=ScormAttempt.commits + 1))

    floor = at_once(learners, bare_update)
    commits = at_once(learners, commit)
    with app.app_context():
        attempts = db.session().execute(select(ScormAttempt.commits, ScormAttempt.passed).where(
            ScormAttempt.id.not_in(bare))).all()
        completions = db.session().scalar(select(func.count()).select_from(Completion))
    ok = (not failures and len(attempts) == learners and all(c == 1 and p for c, p in attempts)
          and completions == learners)
    print(f"{backend}_learners={learners}")
    print(f"{backend}_commits_seconds={commits:.3f}")
    print(f"{backend}_bare_update_seconds={floor:.3f}")
    print(f"{backend}_ms_per_commit={commits * 1000 / learners:.2f}")
    print(f"{backend}_ratio={commits / floor:.2f}")
    print(f"{backend}_completions={completions}")
    print(f"{backend}_ok={ok}")
    app.extensions["elearn.engine"].dispose()
    return ok


def main() -> int:
    options = parse_args()
    backends = options.backends.split(",")
    ok = True
    if "sqlite" in backends:
        path = Path(tempfile.mkdtemp(prefix="elearn-bench-scorm-")) / "bench.sqlite3"
        migrate.upgrade(f"sqlite:///{path}")
        ok &= run("sqlite", f"sqlite:///{path}", options.learners)
    if "postgresql" in backends:
        with postgres_databases(options.postgres_url, "elearn_bench_scorm") as urls:
            migrate.upgrade(urls["elearn_bench_scorm"])
            ok &= run("postgresql", urls["elearn_bench_scorm"], options.learners)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
