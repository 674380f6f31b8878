"""Benchmark: the course page and the quiz submit under gunicorn, as ratios to a bare Flask page.

Run with `python bench/web_load.py [--seconds 10] [--connections 4]`. Needs `wrk` (apt-get install wrk).
Prints plain key=value lines; exits 1 if any request failed or was answered unexpectedly, 2 without wrk.

Two servers are started the same way (gunicorn, gthread, the same workers and threads, access log on):
`elearn serve` on a temporary SQLite database loaded through the real CLI (db upgrade, content sync,
demo), and a one-route Flask app returning a small HTML string. wrk loads each for the same time with
the same connections, a new connection per request and the same Lua script, so the client does the same
work per response in every run. The time is cut into rounds (bare, course page, quiz submit, rotating)
so that a slow moment of a shared machine falls on all three alike. Only the ratios mean something:
absolute figures move with the machine and whatever else runs on it.

- bare: GET / of the one-route app (expects 200).
- course page: GET /courses/dx-basics/ as the demo learner, signed in through the sign-in form (200).
- quiz submit: POST /quiz/attempts/<id> with action=submit, the page's sequence, CSRF token and answers
  q1..q10, each request a different open attempt of a different bench learner, so every request grades
  an attempt (expects 302 to .../result). Half answer correctly and pass, which also writes a completion
  and issues its certificate.
  A submit of an already graded attempt would take a cheaper path, so the run fails when the attempts
  run out (raise --attempts) and the database must show exactly one graded attempt per answered request.
  The bench learners (one per attempt: max_attempts is 3 and a learner has one open attempt at a time)
  are inserted directly, with every lesson read; their attempts are started by elearn.services.quiz.start
  and their sessions made by Flask-Login's login_user, the call the sign-in view makes once the password
  is checked, because thousands of argon2 checks would take minutes.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

COURSE = "dx-basics"
USER_AGENT = "elearn-bench"  # the same on every request: Flask-Login's strong session protection checks it
BENCH_STAFF_PREFIX = "B"
# Submits ran at up to 165 per second on 2 cores with 2 workers x 4 threads: this leaves room.
ATTEMPTS_PER_SECOND = 300
SERVER_LOG_PROBLEMS = ("Traceback", "[ERROR]", "WORKER TIMEOUT", "database is locked", "OperationalError")

BARE_APP = '''"""A bare Flask page, the baseline of bench/web_load.py."""
from flask import Flask

app = Flask(__name__)
PAGE = ("<!doctype html><html lang=ja><head><meta charset=utf-8><title>bare</title></head>"
        "<body><h1>bare</h1><p>A bare Flask page.</p></body></html>")


@app.get("/")
def index():
    return PAGE
'''

# One script for every run. Modes: "get" (the URL given to wrk, with its -H headers) and "submit" (one
# pre-built POST per line of a file, from a given line on, each sent once). response() checks every answer.
LUA = r'''
local mode, expect_status, expect_location
local prepared, count, position = {}, 0, 0
ok, unexpected, sent, first_unexpected = 0, 0, 0, ""

function init(args)
  mode, expect_status, expect_location = args[1], tonumber(args[2]), args[3]
  if mode == "submit" then
    for line in io.lines(args[4]) do
      local path, cookie, body = line:match("^([^\t]*)\t([^\t]*)\t(.*)$")
      count = count + 1
      local headers = {["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded"}
      for name, value in pairs(wrk.headers) do headers[name] = headers[name] or value end  -- Host, User-Agent
      prepared[count] = wrk.format("POST", path, headers, body)
    end
    position = tonumber(args[5])
  else
    count = 1
    prepared[1] = wrk.format()
  end
end

function request()
  sent = sent + 1
  position = position % count + 1
  return prepared[position]
end

function response(status, headers, body)
  local location = headers["Location"] or ""
  if status == expect_status and (expect_location == "" or location:find(expect_location)) then
    ok = ok + 1
  else
    unexpected = unexpected + 1
    if first_unexpected == "" then first_unexpected = status .. " " .. location end
  end
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  local totals = {ok = 0, unexpected = 0, sent = 0}
  local first = ""
  for _, thread in ipairs(threads) do
    for key, _ in pairs(totals) do totals[key] = totals[key] + thread:get(key) end
    if first == "" then first = thread:get("first_unexpected") end
  end
  local errors = summary.errors
  io.write(string.format("wrk requests=%d duration_us=%d ok=%d unexpected=%d sent=%d socket_errors=%d " ..
    "status_errors=%d timeouts=%d p50_ms=%.1f p99_ms=%.1f\n", summary.requests, summary.duration, totals.ok,
    totals.unexpected, totals.sent, errors.connect + errors.read + errors.write, errors.status,
    errors.timeout, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  io.write("wrk first_unexpected=" .. first .. "\n")
end
'''


class BenchFailed(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10, help="measured seconds per target (default 10)")
    parser.add_argument("--rounds", type=int, default=5,
                        help="rounds the seconds are cut into, the targets alternating (default 5)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers of both servers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="gunicorn threads per worker (default 4)")
    parser.add_argument("--attempts", type=int,
                        help=f"open quiz attempts to submit, one per bench learner (default {ATTEMPTS_PER_SECOND} "
                             "per second of --seconds)")
    options = parser.parse_args()
    options.attempts = options.attempts or ATTEMPTS_PER_SECOND * options.seconds
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install wrk", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="elearn-web-bench-"))
    try:
        return run(workdir, options)
    except BenchFailed as failed:
        print(f"failed: {failed}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, options: argparse.Namespace) -> int:
    env = {
        **os.environ,
        "ELEARN_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "ELEARN_INSTANCE_PATH": str(workdir / "instance"),
        "ELEARN_SECRET_KEY": "web-load-bench",
    }
    started = time.monotonic()
    learner = prepare_database(env)
    submits = prepare_attempts(env, learner, options.attempts)
    lines_file = workdir / "submits.tsv"
    lines_file.write_text("".join(f"{path}\t{cookie}\t{body}\n" for path, cookie, body in submits))
    (workdir / "bare_app.py").write_text(BARE_APP)
    script = workdir / "load.lua"
    script.write_text(LUA)
    print(f"setup_seconds={time.monotonic() - started:.1f}")

    round_seconds = max(1, options.seconds // max(1, options.rounds))  # wrk takes whole seconds
    rounds = max(1, options.seconds // round_seconds)
    gunicorn = ["--workers", str(options.workers), "--threads", str(options.threads)]
    elearn_port, bare_port = free_port(), free_port()
    elearn_log, bare_log = workdir / "elearn.log", workdir / "bare.log"
    servers = []
    try:
        servers.append(start_server(
            [sys.executable, "-m", "elearn", "serve", "--port", str(elearn_port), *gunicorn], env, elearn_log))
        servers.append(start_server(
            [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{bare_port}", *gunicorn,
             "--worker-class", "gthread", "--timeout", "60", "--access-logfile", "-",
             "--chdir", str(workdir), "bare_app:app"], env, bare_log))
        wait_until_up(bare_port, "/")
        wait_until_up(elearn_port, "/sign-in")
        cookie = sign_in(elearn_port, learner)
        check_pages(elearn_port, cookie, submits[0])

        course_path = f"/courses/{COURSE}/"
        targets = {
            "bare": (bare_port, "/", ("get", "200", ""), ""),
            "course_page": (elearn_port, course_path, ("get", "200", ""), cookie),
            # What every signed-in request costs before its page does anything: the session checked and the
            # person loaded (the before-request hooks), then /healthz's one line of JSON.
            "signed_in_floor": (elearn_port, "/healthz", ("get", "200", ""), cookie),
            "quiz_submit": (elearn_port, "/", ("submit", "302", "/result$", str(lines_file)), ""),
        }
        for name in ("bare", "course_page", "signed_in_floor"):  # warm-up, not counted: templates, content, connections
            port, path, args, target_cookie = targets[name]
            wrk(port, path, script, args, 2, options.connections, target_cookie)
        steal_before = cpu_ticks()
        results: dict[str, list[dict]] = {name: [] for name in targets}
        names = list(targets)
        for round_number in range(rounds):
            turn = round_number % len(names)
            for name in names[turn:] + names[:turn]:
                port, path, args, target_cookie = targets[name]
                if name == "quiz_submit":
                    args = (*args, str(sum(result["sent"] for result in results[name])))  # the next unused attempt
                results[name].append(wrk(port, path, script, args, round_seconds, options.connections, target_cookie))
        steal = steal_percent(steal_before, cpu_ticks())
    finally:
        for server in servers:
            stop_server(server)
    graded, passed, completions, certificates = count_graded(env)
    problems = log_problems(elearn_log) + log_problems(bare_log)

    totals = {name: combined(rounds_of) for name, rounds_of in results.items()}
    bare, course, submit = totals["bare"], totals["course_page"], totals["quiz_submit"]
    print(f"workers={options.workers} threads={options.threads} connections={options.connections} "
          f"seconds={rounds * round_seconds} rounds={rounds}")
    print(f"bare_rps={bare['rps']:.1f}")
    print(f"course_page_rps={course['rps']:.1f}")
    print(f"course_page_ratio={course['rps'] / bare['rps']:.3f}")
    floor = totals["signed_in_floor"]
    print(f"signed_in_floor_rps={floor['rps']:.1f}")
    print(f"signed_in_floor_ratio={floor['rps'] / bare['rps']:.3f}")
    print(f"quiz_submit_rps={submit['rps']:.1f}")
    print(f"quiz_submit_ratio={submit['rps'] / bare['rps']:.3f}")
    print("quiz_submit_measured=each POST grades a different open attempt "
          "(half pass and write a completion and a certificate)")
    print(f"quiz_submits={submit['requests']} quiz_attempts_made={len(submits)} quiz_attempts_graded={graded} "
          f"quiz_attempts_passed={passed} completions={completions} certificates={certificates}")
    for name, result in totals.items():
        print(f"{name}_latency_ms=p50 {result['p50_ms']:.1f} p99 {result['p99_ms']:.1f}")
    for name, result in totals.items():
        print(f"{name}_errors={result['errors']}")
    print(f"server_log_problems={len(problems)}")
    if steal is not None:
        print(f"cpu_steal_percent={steal:.1f}")
    print(f"total_seconds={time.monotonic() - started:.1f}")
    failures = [f"{name}: {result['errors']} failed or unexpected responses (first: {result['first_unexpected']})"
                for name, result in totals.items() if result["errors"]]
    if submit["sent"] > len(submits):
        failures.append(f"quiz submit ran out of open attempts ({submit['sent']} sent, {len(submits)} made): "
                        "raise --attempts or lower --seconds")
    if not submit["requests"] <= graded <= submit["sent"]:
        failures.append(f"{submit['requests']} submits answered but {graded} attempts graded")
    if completions != passed:
        failures.append(f"{passed} attempts passed but {completions} completions recorded")
    if certificates != completions:
        failures.append(f"{completions} completions but {certificates} certificates issued")
    failures += [f"server log: {line}" for line in problems[:10]]
    if failures:
        raise BenchFailed("; ".join(failures))
    return 0


# --- setup ---------------------------------------------------------------------------------------


def prepare_database(env: dict[str, str]) -> dict[str, str]:
    """Migrate, sync the content and load the demo through the CLI; return the demo learner account."""
    for command in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        finished = subprocess.run([sys.executable, "-m", "elearn", *command], env=env, capture_output=True,
                                  text=True, timeout=120)
        if finished.returncode != 0:
            raise BenchFailed(f"`elearn {' '.join(command)}` failed: {finished.stderr.strip()}")
    for line in finished.stdout.splitlines()[1:]:
        permission, body, number, _email, password = line.split()
        if permission == "learner":
            return {"body": body, "sign_in_name": number, "password": password}
    raise BenchFailed("`elearn demo` printed no learner account")


def prepare_attempts(env: dict[str, str], learner_account: dict[str, str], count: int) -> list[tuple[str, str, str]]:
    """Bench learners who have read every lesson, each with an open attempt; one submit request each:
    (path, cookie header, form body)."""
    from flask import session as flask_session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf
    from sqlalchemy import insert, select

    from elearn import create_app, db
    from elearn.models import Course, LessonProgress, OrgUnit, User
    from elearn.security import start_session_clock
    from elearn.services.learning import content, quiz

    app = create_app({"DATABASE_URL": env["ELEARN_DATABASE_URL"], "SECRET_KEY": env["ELEARN_SECRET_KEY"],
                      "INSTANCE_PATH": env["ELEARN_INSTANCE_PATH"]})
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    serializer = app.session_interface.get_signing_serializer(app)
    submits = []
    with app.app_context():
        session = db.session()
        learner = session.scalars(select(User).join(OrgUnit, User.body_id == OrgUnit.id).where(
            OrgUnit.code == learner_account["body"], User.staff_number == learner_account["sign_in_name"])).one()
        course_id = session.scalars(select(Course.id).where(Course.slug == COURSE)).one()
        lessons = [lesson.slug for lesson in content.tree().course(COURSE).lessons]
        numbers = [f"{BENCH_STAFF_PREFIX}{i:06d}" for i in range(count)]
        session.rollback()
        with db.write_session() as write:
            write.execute(insert(User), [
                {"body_id": learner.body_id, "division_id": learner.division_id, "grade_id": learner.grade_id,
                 "staff_number": number, "name": f"負荷試験 {number}", "kana": "ふかしけん", "is_active": True,
                 "must_change_password": False}
                for number in numbers
            ])
        users = list(session.scalars(select(User).where(User.staff_number.in_(numbers)).order_by(User.id)))
        with db.write_session() as write:
            write.execute(insert(LessonProgress), [
                {"user_id": user.id, "course_id": course_id, "lesson_slug": slug} for user in users for slug in lessons
            ])
        attempts = [quiz.start(user, COURSE) for user in users]
    app.extensions["elearn.engine"].dispose()
    for index, (user, attempt) in enumerate(zip(users, attempts, strict=True)):
        # A request context of its own for each: Flask-WTF keeps the CSRF token of the request in `g`.
        with app.test_request_context("/", headers={"User-Agent": USER_AGENT},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            login_user(user)
            start_session_clock(remembered=False)
            fields = {"csrf_token": [generate_csrf()], "sequence": [str(attempt.sequence)], "action": ["submit"],
                      **answers(attempt.questions, correct=index % 2 == 0)}
            cookie = f"{cookie_name}={serializer.dumps(dict(flask_session))}"
        submits.append((f"/quiz/attempts/{attempt.id}", cookie, urllib.parse.urlencode(fields, doseq=True)))
    return submits


def answers(questions: list[dict], correct: bool) -> dict[str, list[str]]:
    """Form fields as the attempt page posts them (display positions), all right or all wrong."""
    fields: dict[str, list[str]] = {}
    for number, stored in enumerate(questions, start=1):
        field, kind, order = f"q{number}", stored["kind"], stored["order"]
        if kind in ("single", "multiple"):
            chosen = [str(p) for p, index in enumerate(order) if stored["choices"][index]["correct"] == correct]
            fields[field] = chosen if kind == "multiple" and correct else chosen[:1]
        elif kind == "true_false":
            fields[field] = ["true" if stored["answer"] == correct else "false"]
        elif kind == "short_answer":
            fields[field] = [stored["answers"][0] if correct else "わかりません"]
        else:  # ordering: a rank (1..n) per displayed item
            for position, index in enumerate(order):
                fields[f"{field}-{position}"] = [str(index + 1 if correct else len(order) - index)]
    return fields


def count_graded(env: dict[str, str]) -> tuple[int, int, int, int]:
    from sqlalchemy import func, select

    from elearn import create_app, db
    from elearn.models import Certificate, Completion, QuizAttempt, User

    app = create_app({"DATABASE_URL": env["ELEARN_DATABASE_URL"], "SECRET_KEY": env["ELEARN_SECRET_KEY"],
                      "INSTANCE_PATH": env["ELEARN_INSTANCE_PATH"]})
    with app.app_context():
        session = db.session()
        # The bench learners' rows only: the demo's recent completions carry simulated attempts too.
        bench = select(User.id).where(User.staff_number.startswith(BENCH_STAFF_PREFIX))
        attempts = select(func.count()).select_from(QuizAttempt).where(QuizAttempt.user_id.in_(bench))
        graded = session.scalar(attempts.where(QuizAttempt.submitted_at.is_not(None)))
        passed = session.scalar(attempts.where(QuizAttempt.passed.is_(True)))
        completions = session.scalar(select(func.count()).select_from(Completion)
                                     .where(Completion.user_id.in_(bench)))
        certificates = session.scalar(select(func.count()).select_from(Certificate).join(
            Completion, Completion.id == Certificate.completion_id).where(Completion.user_id.in_(bench)))
    app.extensions["elearn.engine"].dispose()
    return graded, passed, completions, certificates


# --- servers and HTTP ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with log.open("wb") as handle:
        return subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)


def stop_server(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=5)


def wait_until_up(port: int, path: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            request(port, "GET", path)
            return
        except OSError:
            time.sleep(0.2)
    raise BenchFailed(f"no server answered on port {port}")


def request(port: int, method: str, path: str, headers: dict[str, str] | None = None,
            body: str | None = None) -> tuple[int, http.client.HTTPResponse, str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body, headers={"User-Agent": USER_AGENT, **(headers or {})})
        response = connection.getresponse()
        return response.status, response, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def session_cookie(response: http.client.HTTPResponse) -> str:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    if "session" not in jar:
        raise BenchFailed("no session cookie was set")
    return f"session={jar['session'].value}"


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if found is None:
        raise BenchFailed("no CSRF token on the page")
    return found.group(1)


def sign_in(port: int, account: dict[str, str]) -> str:
    """Sign in through the form, as a browser does; return the Cookie header value."""
    status, response, page = request(port, "GET", "/sign-in")
    form = {**account, "csrf_token": csrf_token(page)}
    status, response, _page = request(port, "POST", "/sign-in", {
        "Cookie": session_cookie(response), "Content-Type": "application/x-www-form-urlencoded",
    }, urllib.parse.urlencode(form))
    if status != 302 or response.getheader("Location") != "/":
        raise BenchFailed(f"signing in the demo learner answered {status} {response.getheader('Location')}")
    return session_cookie(response)


def check_pages(port: int, cookie: str, submit: tuple[str, str, str]) -> None:
    """The pages answer as a signed-in learner before anything is measured."""
    status, _response, page = request(port, "GET", f"/courses/{COURSE}/", {"Cookie": cookie})
    if status != 200:
        raise BenchFailed(f"the course page answered {status}")
    path, attempt_cookie, _body = submit
    status, _response, page = request(port, "GET", path, {"Cookie": attempt_cookie})
    if status != 200 or 'name="q10"' not in page and 'name="q10-0"' not in page:
        raise BenchFailed(f"the attempt page answered {status} without the ten questions")


def wrk(port: int, path: str, script: Path, args: tuple[str, ...], seconds: int, connections: int,
        cookie: str) -> dict:
    command = ["wrk", "--threads", "1", "--connections", str(connections), "--duration", f"{seconds}s",
               "--timeout", "10s", "--script", str(script), "--header", f"User-Agent: {USER_AGENT}",
               # A new connection per request, as from a reverse proxy without upstream keep-alive: with a few
               # kept-alive connections gunicorn often hands all of them to one worker, halving the rate.
               "--header", "Connection: close"]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    command += [f"http://127.0.0.1:{port}{path}", "--", *args]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if finished.returncode != 0:
        raise BenchFailed(f"wrk failed: {finished.stderr.strip()}")
    result: dict = {}
    for line in finished.stdout.splitlines():
        if line.startswith("wrk first_unexpected="):
            result["first_unexpected"] = line.partition("=")[2]
        elif line.startswith("wrk "):
            for pair in line.split()[1:]:
                key, _, value = pair.partition("=")
                result[key] = float(value) if "." in value else int(value)
    if "requests" not in result:
        raise BenchFailed(f"wrk printed no result: {finished.stdout.strip()} {finished.stderr.strip()}")
    return result


def combined(rounds: list[dict]) -> dict:
    """The rounds of one target as one run: rates from summed counts and times; the middle round's
    median latency and the worst round's 99th percentile."""
    requests, seconds = sum(r["requests"] for r in rounds), sum(r["duration_us"] for r in rounds) / 1_000_000
    return {
        "requests": requests, "rps": requests / seconds, "sent": sum(r["sent"] for r in rounds),
        "errors": sum(r["unexpected"] + r["socket_errors"] + r["timeouts"] for r in rounds),
        "first_unexpected": next((r["first_unexpected"] for r in rounds if r["first_unexpected"]), ""),
        "p50_ms": sorted(r["p50_ms"] for r in rounds)[len(rounds) // 2], "p99_ms": max(r["p99_ms"] for r in rounds),
    }


def cpu_ticks() -> list[int] | None:
    """The machine's CPU time counters (Linux), to tell how much a virtual machine's host took away."""
    try:
        return [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return None


def steal_percent(before: list[int] | None, after: list[int] | None) -> float | None:
    if before is None or after is None or len(before) < 8:
        return None
    spent = [b - a for a, b in zip(before, after, strict=True)]
    return 100 * spent[7] / (sum(spent[:8]) or 1)  # user nice system idle iowait irq softirq steal


def log_problems(log: Path) -> list[str]:
    return [line.strip() for line in log.read_text(errors="replace").splitlines()
            if any(problem in line for problem in SERVER_LOG_PROBLEMS)]


if __name__ == "__main__":
    sys.exit(main())
