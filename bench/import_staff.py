"""Benchmark: a 10,000-row staff import against a plain bulk insert of the same rows.

Run with `python bench/import_staff.py`. Prints plain key=value lines. Uses temporary SQLite files only.
"""

from __future__ import annotations

import csv
import io
import random
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from elearn import create_app, db, migrate  # noqa: E402
from elearn.clock import utcnow  # noqa: E402
from elearn.domain.people import DEFAULT_GRADES, TIER_NAMES_JA, OrgKind, Tier  # noqa: E402
from elearn.models import Grade, OrgUnit, User  # noqa: E402
from elearn.services.people.importer import apply_staff_import  # noqa: E402

ROWS = 10_000
ROWS_WITH_PASSWORDS = ROWS  # initial passwords use the cheap argon2id for random secrets
DIVISIONS_PER_DEPARTMENT = 5
DEPARTMENTS = 4
HEADER = ["職員番号", "氏名", "ふりがな", "メール", "所属コード", "職位", "研修区分"]
SURNAMES = ["髙橋", "佐藤", "鈴木", "山﨑", "田中", "渡邊", "伊藤", "齋藤"]
GIVEN_NAMES = ["太郎", "花子", "一郎", "美咲", "健", "陽菜"]
T = TypeVar("T")


def make_app(database_url: str, instance: Path):  # type: ignore[no-untyped-def]
    return create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench", "INSTANCE_PATH": str(instance)})


def timed(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def create_units() -> None:
    """A prefecture and a municipality with a few departments and divisions; grades if none exist."""
    with db.write_session() as session:
        for body_code, kind in (("P01", OrgKind.PREFECTURE), ("M01", OrgKind.MUNICIPALITY)):
            body = OrgUnit(code=body_code, name=f"団体{body_code}", kind=kind)
            session.add(body)
            for d in range(DEPARTMENTS):
                department = OrgUnit(code=f"{body_code}-B{d}", name=f"部{d}", kind=OrgKind.DEPARTMENT)
                department.parent = body
                session.add(department)
                for k in range(DIVISIONS_PER_DEPARTMENT):
                    code = f"{body_code}-B{d}-K{k}"
                    division = OrgUnit(code=code, name=f"課{d}-{k}", kind=OrgKind.DIVISION)
                    division.parent = department
                    session.add(division)
        if session.scalars(select(Grade)).first() is None:
            session.add_all(Grade(name=name, sort_order=index) for index, name in enumerate(DEFAULT_GRADES))


def division_codes(body_code: str) -> list[str]:
    return [f"{body_code}-B{d}-K{k}" for d in range(DEPARTMENTS) for k in range(DIVISIONS_PER_DEPARTMENT)]


def staff_rows(count: int, body_code: str, seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    tiers = ["", "", "", TIER_NAMES_JA[Tier.DX_MANAGER], "DXスペシャリスト;デジタル化リーダー"]
    return [
        [
            f"{number:06d}",
            f"{rng.choice(SURNAMES)} {rng.choice(GIVEN_NAMES)}",
            "しょくいん",
            f"{body_code.lower()}.{number}@example.jp",
            rng.choice(division_codes(body_code)),
            rng.choice(DEFAULT_GRADES),
            rng.choice(tiers),
        ]
        for number in range(1, count + 1)
    ]


def as_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("cp932")  # as Excel saves it


def bulk_insert(rows: list[list[str]]) -> float:
    """The floor: the same users inserted with one executemany, no parsing, planning or checks."""
    session = db.session()
    unit_ids = dict(session.execute(select(OrgUnit.code, OrgUnit.id)).all())
    grade_ids = dict(session.execute(select(Grade.name, Grade.id)).all())
    session.rollback()
    now = utcnow()
    values = [
        {
            "body_id": unit_ids["P01"], "staff_number": number, "name": name, "kana": kana, "email": email,
            "division_id": unit_ids[division], "grade_id": grade_ids[grade], "is_active": True,
            "password_hash": None, "must_change_password": True, "session_token": secrets.token_urlsafe(32),
            "created_at": now, "updated_at": now,
        }
        for number, name, kana, email, division, grade, _tiers in rows
    ]

    def insert_all() -> None:
        with db.write_session() as write:
            write.execute(insert(User), values)

    seconds, _ = timed(insert_all)
    return seconds


def checkpoint_and_close(app) -> None:  # type: ignore[no-untyped-def]
    """Fold the WAL into the main file so a plain file copy is a complete database."""
    with app.app_context():
        with db.engine().connect() as connection:
            connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    app.extensions["elearn.engine"].dispose()


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="elearn-bench-"))
    try:
        run(workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(workdir: Path) -> None:
    import_db, bulk_db = workdir / "import.sqlite3", workdir / "bulk.sqlite3"
    import_url = f"sqlite:///{import_db}"
    migrate.upgrade(import_url)
    app = make_app(import_url, workdir / "instance")
    with app.app_context():
        create_units()
    checkpoint_and_close(app)
    shutil.copyfile(import_db, bulk_db)  # the same starting state for the bulk insert

    rows = staff_rows(ROWS, "P01", seed=1)
    data = as_csv(rows)

    def import_without_passwords():  # type: ignore[no-untyped-def]
        return apply_staff_import(data, "staff.csv", None, issue_passwords=False)

    with app.app_context():
        import_seconds, result = timed(import_without_passwords)
        assert result.plan.summary()["create"] == ROWS, result.plan.summary()
    with app.app_context():
        reimport_seconds, result = timed(import_without_passwords)
        assert not result.plan.has_changes, result.plan.summary()
    small = as_csv(staff_rows(ROWS_WITH_PASSWORDS, "M01", seed=2))
    with app.app_context():
        password_seconds, result = timed(lambda: apply_staff_import(small, "small.csv", None))
        assert len(result.initial_passwords) == ROWS_WITH_PASSWORDS
    app.extensions["elearn.engine"].dispose()

    bulk_app = make_app(f"sqlite:///{bulk_db}", workdir / "instance")
    with bulk_app.app_context():
        bulk_seconds = bulk_insert(rows)
    bulk_app.extensions["elearn.engine"].dispose()

    print(f"rows={ROWS}")
    print(f"import_{ROWS}_rows_seconds={import_seconds:.3f}")
    print(f"bulk_insert_seconds={bulk_seconds:.3f}")
    print(f"ratio={import_seconds / bulk_seconds:.2f}")
    print(f"reimport_no_change_seconds={reimport_seconds:.3f}")
    print(f"reimport_ratio={reimport_seconds / bulk_seconds:.2f}")
    print(f"import_{ROWS_WITH_PASSWORDS}_rows_with_passwords_seconds={password_seconds:.3f}")
    print(f"with_passwords_ratio={password_seconds / bulk_seconds:.2f}")


if __name__ == "__main__":
    main()
