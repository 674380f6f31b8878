"""Benchmark: the week the all-staff course opens, as a locust load on two gunicorn servers on PostgreSQL.

Run with `make bench-week` (or `.venv/bin/python bench/learner_week.py`). Takes about 4 minutes with the defaults.
Needs locust (`pip install -e '.[bench]'`, which the make target does), PostgreSQL and Redis on this machine.

1. A scratch PostgreSQL database (`elearn_bench_week`, dropped afterwards) set up through the real CLI:
   `db upgrade`, `content sync`, `demo`; then `--learners` bench learners in the demo learner's division, with
   one password (its hash computed once).
2. Two app servers, `elearn serve --workers W --threads T`, on two loopback ports, sharing the database, Redis
   (rate limits in database 11, the job queue in database 10, both emptied first) and one instance folder; one
   `elearn worker` beside them.
3. locust, headless: `--users` simulated learners started at `--spawn-rate` per second, for `--minutes`; each
   runs bench/locustfile_week.py (sign in, My learning, the course, every lesson read, the quiz answered
   rightly, the result, the certificate PDF, the magazine, sign out), then goes on as the next bench learner.
   When time is up every learner finishes the one in hand (`--stop-timeout`), so nothing is cut in the middle.
4. Checked against the database: one completion and one certificate per "quiz submit" locust counted as a
   success, and no other completion of a bench learner.

Prints key=value lines (throughput, p50/p95/p99 of every request and of each kind, errors, completions) and
exits 1 when a request failed, a completion is missing or extra, or p95 is over `--p95-goal-ms`.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from scratch import postgres_databases  # noqa: E402

COURSE = "dx-basics"
PASSWORD = "bench-week-horse-42"
STAFF_PREFIX = "98"  # eight digits: the demo's staff numbers have six (sign-in lower-cases names)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=100, help="concurrent learners (locust users)")
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--learners", type=int, default=1500, help="bench accounts (each used once)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--p95-goal-ms", type=float, default=300)
    parser.add_argument("--postgres-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379")
    options = parser.parse_args()
    if shutil.which("locust", path=str(Path(sys.executable).parent)) is None:
        print("locust is not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="elearn-week-") as work, \
            postgres_databases(options.postgres_url, "elearn_bench_week") as urls:
        return run(Path(work), urls["elearn_bench_week"], options)


def run(work: Path, database_url: str, options: argparse.Namespace) -> int:
    import redis

    for number in (10, 11):
        redis.Redis.from_url(f"{options.redis}/{number}").flushdb()
    env = {**os.environ, "ELEARN_DATABASE_URL": database_url, "ELEARN_INSTANCE_PATH": str(work / "instance"),
           "ELEARN_SECRET_KEY": "bench-week-secret", "ELEARN_LIMITER_STORAGE": f"{options.redis}/11",
           "ELEARN_QUEUE_URL": f"{options.redis}/10", "ELEARN_SCORM_CONTENT_URL": "http://scorm.invalid"}
    elearn = [sys.executable, "-m", "elearn"]
    for command in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        subprocess.run([*elearn, *command], env=env, check=True, capture_output=True, timeout=600)
    body, accounts, lessons = prepare_learners(database_url, options.learners)

    ports = [free_port(), free_port()]
    servers = [subprocess.Popen([*elearn, "serve", "--host", "127.0.0.1", "--port", str(port),
                                 "--workers", str(options.workers), "--threads", str(options.threads),
                                 # As behind nginx (deploy/): idle connections outlive any learner's pause.
                                 "--keep-alive", "75"],
                                env=env, stdout=(work / f"server-{port}.log").open("w"), stderr=subprocess.STDOUT)
               for port in ports]
    worker = subprocess.Popen([*elearn, "worker", "--threads", "1"], env=env,
                              stdout=(work / "worker.log").open("w"), stderr=subprocess.STDOUT)
    try:
        for port in ports:
            wait_until_up(port)
        locust_env = {**env, "WEEK_HOSTS": ",".join(f"http://127.0.0.1:{port}" for port in ports),
                      "WEEK_ACCOUNTS": ",".join(accounts), "WEEK_BODY": body, "WEEK_PASSWORD": PASSWORD,
                      "WEEK_COURSE": COURSE, "WEEK_LESSONS": ",".join(lessons), "WEEK_DATABASE_URL": database_url,
                      "WEEK_THINK_MIN": str(options.think_min), "WEEK_THINK_MAX": str(options.think_max)}
        started = time.monotonic()
        subprocess.run([str(Path(sys.executable).parent / "locust"), "-f", str(ROOT / "bench" / "locustfile_week.py"),
                        "--headless", "--users", str(options.users), "--spawn-rate", str(options.spawn_rate),
                        "--run-time", f"{int(options.minutes * 60)}s", "--stop-timeout", "120",
                        "--csv", str(work / "week"), "--only-summary", "--loglevel", "WARNING"],
                       env=locust_env, check=False, timeout=int(options.minutes * 60) + 400)
        elapsed = time.monotonic() - started
    finally:
        for process in (*servers, worker):
            process.terminate()
        for process in (*servers, worker):
            process.wait(timeout=60)
    logs = sorted(work.glob("*.log"))
    return report(work, database_url, accounts, elapsed, options, server_problems(logs))


def server_problems(logs: list[Path]) -> list[str]:
    """Lines of the server and worker logs that say something went wrong (a traceback's last line among them)."""
    found = []
    for log in logs:
        lines = log.read_text(errors="replace").splitlines()
        for number, line in enumerate(lines):
            if any(word in line for word in ("[ERROR]", "WORKER TIMEOUT", "[CRITICAL]", "Traceback")):
                found.append(f"{log.name}: {line.strip()[:200]}")
            if line.startswith("Traceback"):
                tail = next((later for later in lines[number + 1:] if later and not later.startswith(" ")), "")
                found.append(f"{log.name}:   {tail.strip()[:200]}")
    return found


def prepare_learners(database_url: str, count: int) -> tuple[str, list[str], list[str]]:
    """Bench learners beside the demo learner (same body, division and grade), one password hash for all."""
    from sqlalchemy import insert, select

    from elearn import create_app, db
    from elearn.models import OrgUnit, User
    from elearn.services.learning import content
    from elearn.services.people.passwords import hash_password

    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "INSTANCE_PATH": tempfile.mkdtemp()})
    numbers = [f"{STAFF_PREFIX}{index:06d}" for index in range(count)]
    with app.app_context():
        learner = db.session().scalars(select(User).where(User.staff_number == "100001")).one()
        body = db.session().get(OrgUnit, learner.body_id).code
        digest = hash_password(PASSWORD)
        with db.write_session() as session:
            session.execute(insert(User), [
                {"body_id": learner.body_id, "division_id": learner.division_id, "grade_id": learner.grade_id,
                 "staff_number": number, "name": f"負荷試験 {number}", "kana": "ふかしけん", "is_active": True,
                 "password_hash": digest, "must_change_password": False} for number in numbers])
        lessons = [lesson.slug for lesson in content.tree().course(COURSE).lessons]
    app.extensions["elearn.engine"].dispose()
    return body, numbers, lessons


def report(work: Path, database_url: str, accounts: list[str], elapsed: float, options: argparse.Namespace,
           log_lines: list[str]) -> int:
    from sqlalchemy import create_engine, text

    rows = {row["Name"]: row for row in csv.DictReader((work / "week_stats.csv").open())}
    total = rows.pop("Aggregated")
    engine = create_engine(database_url)
    with engine.connect() as connection:
        completions, certificates = connection.execute(text(
            "SELECT count(DISTINCT c.id), count(DISTINCT k.id) FROM completions c JOIN users u ON u.id = c.user_id "
            "LEFT JOIN certificates k ON k.completion_id = c.id WHERE u.staff_number LIKE :prefix"),
            {"prefix": f"{STAFF_PREFIX}______"}).one()
        learners_done = connection.execute(text(
            "SELECT count(*) FROM users WHERE staff_number LIKE :prefix AND id IN (SELECT user_id FROM completions)"),
            {"prefix": f"{STAFF_PREFIX}______"}).scalar_one()
    engine.dispose()
    submits = rows.get("quiz submit", {})
    submitted_ok = int(submits.get("Request Count", 0)) - int(submits.get("Failure Count", 0))
    failures = int(total["Failure Count"])
    print(f"users={options.users}")
    print(f"think_seconds={options.think_min}-{options.think_max}")
    print(f"servers=2 workers_per_server={options.workers} threads={options.threads}")
    print(f"seconds={elapsed:.0f}")
    print(f"requests={total['Request Count']}")
    print(f"requests_per_second={float(total['Requests/s']):.1f}")
    print(f"p50_ms={total['50%']} p95_ms={total['95%']} p99_ms={total['99%']} "
          f"max_ms={float(total['Max Response Time']):.0f}")
    print(f"errors={failures}")
    print(f"learners_finished={learners_done}")
    print(f"quiz_submits_ok={submitted_ok} completions={completions} certificates={certificates}")
    print()
    print(f"{'request':<20} {'count':>7} {'fail':>5} {'p50':>6} {'p95':>6} {'p99':>6}")
    for name, row in sorted(rows.items()):
        print(f"{name:<20} {row['Request Count']:>7} {row['Failure Count']:>5} {row['50%']:>6} {row['95%']:>6} "
              f"{row['99%']:>6}")
    problems = []
    if failures:
        problems.append(f"{failures} requests failed")
    if not completions == certificates == submitted_ok:
        problems.append(f"{submitted_ok} submits answered but {completions} completions, {certificates} certificates")
    if float(total["95%"]) > options.p95_goal_ms:
        problems.append(f"p95 {total['95%']} ms is over the goal of {options.p95_goal_ms:.0f} ms")
    if log_lines:
        problems.append(f"{len(log_lines)} problem lines in the server logs, e.g. {log_lines[:6]}")
    for problem in problems:
        print(f"problem: {problem}")
    return 1 if problems else 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"no server answered on port {port}")


if __name__ == "__main__":
    sys.exit(main())
