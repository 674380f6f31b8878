"""Configuration: safe defaults, overridden by ELEARN_* environment variables."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    pass


def default_database_url(instance_path: str) -> str:
    return f"sqlite:///{Path(instance_path) / 'elearn.sqlite3'}"


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE_URL=default_database_url(app.instance_path),
        # Sessions: idle and absolute limits are enforced in elearn.security.
        SESSION_IDLE_MINUTES=60,
        SESSION_ABSOLUTE_HOURS=12,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=False,
        REMEMBER_COOKIE_DURATION=timedelta(days=14),
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=False,
        # Sign-in throttling: per address through Flask-Limiter, per account in the database.
        # memory:// counts per process; `elearn serve` with several workers uses database:// instead
        # (development) or refuses to start (production). See elearn.server.limiter_storage_for_workers.
        LIMITER_STORAGE="memory://",
        SIGN_IN_ADDRESS_LIMIT="20 per 10 minutes",
        SIGN_IN_ACCOUNT_MAX_FAILURES=5,
        SIGN_IN_ACCOUNT_LOCK_MINUTES=15,
        INITIAL_PASSWORD_DAYS=14,
        RESET_LINK_HOURS=24,
        BABEL_DEFAULT_LOCALE="ja",
        BABEL_DEFAULT_TIMEZONE="Asia/Tokyo",
        BABEL_TRANSLATION_DIRECTORIES=str(PROJECT_ROOT / "translations"),
        LANGUAGES=["ja", "en"],
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        # One request of magazine page images (several pages at once); only that route gets it.
        MAGAZINE_UPLOAD_LIMIT=120 * 1024 * 1024,
        # One import file (the staff list of a whole prefecture and its municipalities: 300,000 rows are about
        # 30 MB as CSV); only the import upload route gets it, and only for administrators.
        IMPORT_UPLOAD_LIMIT=64 * 1024 * 1024,
        # Staff and past-training files with more rows are applied by the worker (elearn.services.import_runs).
        IMPORT_QUEUED_ROWS=20_000,
        # One uploaded lesson video (and its captions and poster); only the video upload route gets it.
        VIDEO_UPLOAD_LIMIT=1024 * 1024 * 1024,
        # Checked uploaded videos, one folder each, named by lessons as video: {library: <slug>}.
        # Default: instance/media-library. Share it between web servers and workers (NFS, or the object
        # store's file gateway) as the instance folder is.
        MEDIA_LIBRARY=None,
        # Where the media library and uploads waiting for the worker are kept (elearn.storage): "local" (the
        # folders above; share them over NFS between servers) or "s3", an S3-compatible object store: the bucket,
        # a key prefix, and for a store inside the closed network its address (https://s3.example.lg.jp).
        # Credentials come from boto3's usual places (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY in the environment
        # file), never from here.
        FILE_STORE="local",
        S3_BUCKET=None,
        S3_PREFIX="elearn",
        S3_ENDPOINT_URL=None,
        S3_REGION=None,
        # SCORM packages are other providers' script: they run on an origin of their own, never the app's
        # (README, "SCORM packages"). Production: a second host name for the same app, e.g.
        # https://scorm.elearn.example.lg.jp. `elearn serve` also listens on this port when it is local.
        SCORM_CONTENT_URL="http://127.0.0.1:5001",
        # Static files (fonts above all) are cached by browsers; pages themselves are no-store.
        SEND_FILE_MAX_AGE_DEFAULT=timedelta(hours=12),
        WTF_CSRF_TIME_LIMIT=None,
        ENV_NAME="development",
        # Where courses/ and quizzes/ live.
        CONTENT_ROOT=str(PROJECT_ROOT),
        # Outgoing mail (a relay inside the closed network); mail waits in the outbox while MAIL_SERVER is
        # unset. MAIL_PER_MINUTE throttles the sender (0: as fast as the relay takes it).
        MAIL_SERVER=None,
        MAIL_PORT=25,
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_STARTTLS=False,
        MAIL_FROM="elearn@localhost",
        MAIL_FROM_NAME="",
        MAIL_PER_MINUTE=600,
        # The job queue (Huey): a SQLite file beside the database by default, redis://host:6379/N in production.
        QUEUE_URL=None,
        # The address staff reach the site at; printed in certificate QR codes, so set it in production.
        PUBLIC_URL="http://127.0.0.1:5000",
        VERIFY_LIMIT="20 per minute; 200 per day",
        # Inbox messages one person may send (questions and ideas to the magazine team).
        INBOX_SEND_LIMIT="5 per minute; 30 per day",
        # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust. 0 (direct) ignores
        # the headers, so a client cannot pick the address that rate limits and the audit log see.
        PROXY_COUNT=0,
        # Folders whose files nginx sends (X-Accel-Redirect) after the app's checks: {folder: internal location},
        # e.g. {"/srv/elearn/instance/media-library": "/_elearn/media-library/"} (README, "Production").
        X_ACCEL_REDIRECT={},
        # Seconds each process keeps the active courses, current versions and deadlines it read
        # (elearn.services.learning.reference): another server's change shows within this time.
        REFERENCE_CACHE_SECONDS=60,
        # One JSON line per request on stderr (request id, user, route, status, duration, SQL statements).
        LOG_JSON=False,
        # PostgreSQL cancels a statement running longer (None: never). `elearn serve` sets it in its web workers
        # just under gunicorn's timeout; the job worker and the command line keep none.
        STATEMENT_TIMEOUT_SECONDS=None,
    )
    app.config.from_prefixed_env("ELEARN")
    if test_config:
        app.config.update(test_config)
    app.config["SESSION_COOKIE_SECURE"] = _as_bool(app.config["SESSION_COOKIE_SECURE"])
    app.config["REMEMBER_COOKIE_SECURE"] = app.config["SESSION_COOKIE_SECURE"]
    app.config["LOG_JSON"] = _as_bool(app.config["LOG_JSON"])
    _require_secret_key(app)
    if app.config["ENV_NAME"] == "production" and "127.0.0.1" in app.config["PUBLIC_URL"]:
        raise ConfigError("ELEARN_PUBLIC_URL must be set in production (certificates print it).")
    app.config["FILE_STORE"] = str(app.config["FILE_STORE"] or "local").strip().lower()
    if app.config["FILE_STORE"] not in ("local", "s3"):
        raise ConfigError(f"ELEARN_FILE_STORE must be local or s3, not {app.config['FILE_STORE']!r}.")
    if app.config["FILE_STORE"] == "s3" and not app.config["S3_BUCKET"]:
        raise ConfigError("ELEARN_S3_BUCKET must be set when ELEARN_FILE_STORE is s3.")
    if _origin(app.config["SCORM_CONTENT_URL"]) == _origin(app.config["PUBLIC_URL"]):
        raise ConfigError("ELEARN_SCORM_CONTENT_URL must be an origin of its own, not the app's: SCORM packages "
                          "are other providers' script (README, 'Why SCORM runs on an origin of its own').")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def _as_bool(value: object) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return bool(value)


def _require_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise ConfigError("ELEARN_SECRET_KEY must be set in production.")
    # Development: a key kept in instance/ so sessions survive restarts and workers agree.
    key_file = Path(app.instance_path) / "secret_key"
    key_file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass  # another worker or an earlier run wrote it
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    app.config["SECRET_KEY"] = key_file.read_text().strip()
