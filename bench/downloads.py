"""Benchmark: the slow downloads on demo-sized data, the first time (printing) against a repeat (stored).

Run with `python bench/downloads.py`. Prints plain key=value lines; exits 1 when a repeat costs a tenth
of the first download or more, or a download is not what it should be. Uses a temporary folder only
(SQLite database set up by `elearn db upgrade`, `content sync` and `demo`, instance folder, WeasyPrint's
font files).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from sqlalchemy import delete, func, select  # noqa: E402

from elearn import create_app, db  # noqa: E402
from elearn.models import CertificatePdf, KpiReportPdf  # noqa: E402

LIMIT = 0.1  # a repeat must cost less than this share of the first download


class BenchFailed(Exception):
    pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-preparation", action="store_true",
                        help="skip the second rendering pass through the preparation page (halves the run)")
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="elearn-bench-downloads-"))
    previous_tempdir, tempfile.tempdir = tempfile.tempdir, str(workdir)  # WeasyPrint's font copies too
    try:
        return run(workdir, options)
    except BenchFailed as failure:
        print(f"bench failed: {failure}", file=sys.stderr)
        return 1
    finally:
        tempfile.tempdir = previous_tempdir
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path, options: argparse.Namespace) -> int:
    env = {**os.environ, "ELEARN_DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
           "ELEARN_INSTANCE_PATH": str(workdir / "instance"), "ELEARN_SECRET_KEY": "bench-downloads"}
    accounts = prepare_database(env)
    app = create_app({"DATABASE_URL": env["ELEARN_DATABASE_URL"], "SECRET_KEY": env["ELEARN_SECRET_KEY"],
                      "INSTANCE_PATH": env["ELEARN_INSTANCE_PATH"]})
    figures: dict[str, object] = {}
    try:
        figures.update(kpi_pdf(app, accounts["reporter"]))
        figures.update(team_zip(app, accounts["manager"], not options.skip_preparation))
    finally:
        app.extensions["elearn.engine"].dispose()
    for key, value in figures.items():
        print(f"{key}={value:.4f}" if isinstance(value, float) and key.endswith("ratio") else
              f"{key}={value:.1f}" if isinstance(value, float) else f"{key}={value}")
    over = [key for key in ("kpi_pdf_ratio", "team_zip_ratio") if figures[key] >= LIMIT]
    if over:
        print(f"bench failed: {', '.join(over)} not below {LIMIT}", file=sys.stderr)
        return 1
    return 0


def prepare_database(env: dict[str, str]) -> dict[str, dict[str, str]]:
    """Migrate, sync the content and load the demo through the CLI; the demo accounts by permission."""
    for command in (["db", "upgrade"], ["content", "sync"], ["demo"]):
        finished = subprocess.run([sys.executable, "-m", "elearn", *command], env=env, capture_output=True,
                                  text=True, timeout=300)
        if finished.returncode != 0:
            raise BenchFailed(f"`elearn {' '.join(command)}` failed: {finished.stderr.strip()}")
    accounts: dict[str, dict[str, str]] = {}
    for line in finished.stdout.splitlines()[1:]:
        fields = line.split()
        if len(fields) == 5 and fields[1] == "P000":
            accounts.setdefault(fields[0], {"body": fields[1], "sign_in_name": fields[2], "password": fields[4]})
    if not {"reporter", "manager"} <= accounts.keys():
        raise BenchFailed("`elearn demo` printed no prefecture reporter and manager")
    return accounts


def signed_in(app, account: dict[str, str]):  # type: ignore[no-untyped-def]
    """A test client signed in through the sign-in form, CSRF token and password, as a browser does it."""
    client = app.test_client()
    token = csrf_token(client.get("/sign-in").get_data(as_text=True))
    answer = client.post("/sign-in", data={"csrf_token": token, **account})
    if answer.status_code != 302:
        raise BenchFailed(f"sign-in of {account['sign_in_name']} answered {answer.status_code}")
    return client


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page) or re.search(r'data-csrf-token="([^"]+)"', page)
    if not found:
        raise BenchFailed("no CSRF token on the page")
    return found.group(1)


def timed_get(client, path: str, **kwargs):  # type: ignore[no-untyped-def]
    """GET and read the whole body (a streamed ZIP is made while it is read); (response, milliseconds)."""
    started = time.perf_counter()
    response = client.get(path, **kwargs)
    response.get_data()
    return response, (time.perf_counter() - started) * 1000


def kpi_pdf(app, account: dict[str, str]) -> dict[str, object]:
    """The reporter's PDF of today's report: printed the first time, then from the store, then a 304."""
    client = signed_in(app, account)
    client.get("/kpi/")  # the page first, as a person would: the report's queries are warm for all three
    first, first_ms = timed_get(client, "/kpi/report.pdf")
    second, second_ms = timed_get(client, "/kpi/report.pdf")
    cached, not_modified_ms = timed_get(client, "/kpi/report.pdf", headers={"If-None-Match": first.headers["ETag"]})
    if first.status_code != 200 or not first.data.startswith(b"%PDF-"):
        raise BenchFailed(f"the KPI PDF answered {first.status}")
    if second.data != first.data or second.headers["ETag"] != first.headers["ETag"] or cached.status_code != 304:
        raise BenchFailed("the repeated KPI PDF is not the stored one")
    with app.app_context():
        stored = db.session().scalar(select(func.count()).select_from(KpiReportPdf))
    return {"kpi_pdf_bytes": len(first.data), "kpi_pdfs_stored": stored, "kpi_pdf_first_ms": first_ms,
            "kpi_pdf_second_ms": second_ms, "kpi_pdf_not_modified_ms": not_modified_ms,
            "kpi_pdf_ratio": second_ms / first_ms}


def team_zip(app, account: dict[str, str], preparation: bool) -> dict[str, object]:
    """The manager's ZIP of every year: first with no PDF stored (rendered while it streams), then with
    every PDF stored; then, with the store emptied again, through the preparation page's steps."""
    client = signed_in(app, account)
    first, first_ms = timed_get(client, "/team/certificates.zip")
    members = zipfile.ZipFile(io.BytesIO(first.data)).namelist()
    if first.status_code != 200 or not members:
        raise BenchFailed(f"the first team ZIP answered {first.status} with {len(members)} files")
    decided = client.get("/team/certificates/")
    if decided.status_code != 303:
        raise BenchFailed(f"with every PDF stored the team link answered {decided.status_code}, not the ZIP")
    stored, stored_ms = timed_get(client, decided.headers["Location"])
    if zipfile.ZipFile(io.BytesIO(stored.data)).namelist() != members:
        raise BenchFailed("the stored team ZIP holds other files than the first")
    figures: dict[str, object] = {"team_zip_certificates": len(members), "team_zip_first_ms": first_ms,
                                  "team_zip_stored_ms": stored_ms, "team_zip_ratio": stored_ms / first_ms}
    if preparation:
        figures.update(prepared_zip(app, client, len(members)))
    return figures


def prepared_zip(app, client, total: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """What a manager's browser does on the preparation page: POST steps until done, then the ZIP."""
    with app.app_context(), db.write_session() as session:
        session.execute(delete(CertificatePdf))
    started = time.perf_counter()
    page = client.get("/team/certificates/")
    if page.status_code != 200:
        raise BenchFailed(f"with nothing stored the team link answered {page.status_code}, not the preparation")
    token = csrf_token(page.get_data(as_text=True))
    steps: list[float] = []
    progress = {"done": 0, "total": total}
    while progress["done"] < progress["total"]:
        step_started = time.perf_counter()
        answer = client.post("/team/certificates/prepare", data={"csrf_token": token})
        steps.append((time.perf_counter() - step_started) * 1000)
        if answer.status_code != 200 or len(steps) > total:
            raise BenchFailed(f"a preparation step answered {answer.status_code} after {len(steps)} steps")
        progress = answer.get_json()
    decided = client.get("/team/certificates/")
    archive, zip_ms = timed_get(client, decided.headers.get("Location", "/missing"))
    if archive.status_code != 200 or len(zipfile.ZipFile(io.BytesIO(archive.data)).namelist()) != total:
        raise BenchFailed("the ZIP after the preparation is not complete")
    return {"prepare_steps": len(steps), "prepare_step_max_ms": max(steps),
            "prepare_step_median_ms": sorted(steps)[len(steps) // 2],
            "prepare_total_ms": (time.perf_counter() - started) * 1000, "prepared_zip_ms": zip_ms}


if __name__ == "__main__":
    sys.exit(main())
