"""gunicorn embedded, so `elearn serve` needs no separate configuration file."""

from __future__ import annotations

import gc
from urllib.parse import urlsplit

from gunicorn.app.base import BaseApplication

from elearn.config import ConfigError
from elearn.limiter_storage import SCHEME, is_per_process

SHARED_LIMITER_STORAGE = f"{SCHEME}://"


def limiter_storage_for_workers(storage_uri: str, workers: int, env_name: str) -> str:
    """The limiter storage `workers` processes must use so that they count hits together.

    Per-process storage (memory://) with several workers would allow each worker the whole limit:
    refused in production, replaced by the app's database (database://) in development.
    """
    if workers <= 1 or not is_per_process(storage_uri):
        return storage_uri
    if env_name == "production":
        raise ConfigError(
            f"ELEARN_LIMITER_STORAGE={storage_uri} counts per worker, so {workers} workers would allow "
            f"{workers} times every rate limit: set it to {SHARED_LIMITER_STORAGE} (the app's database) "
            "or redis://host:6379/N, or serve with --workers 1"
        )
    return SHARED_LIMITER_STORAGE


class _ElearnServer(BaseApplication):
    def __init__(self, options: dict, app_config: dict) -> None:
        self.options = options
        self.app_config = app_config
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from elearn import create_app
        from elearn.services.learning import content

        app = create_app(self.app_config or None)
        # Content is read once per process at start, so no request (and no write lock) waits for it.
        with app.app_context():
            content.tree()
        settle_heap()
        return app


# The collector's youngest generation is collected every 700 new objects by default, and each of its passes
# counts toward the older ones': a page that builds hundreds of thousands of objects (a 300,000-row staff import,
# a prefecture's KPI report) spent a third of its time collecting, mostly walking what it had just built.
# At 50,000 the young cycles are still freed within a request, and the import's preview took 9-11 s, not 14-17.
YOUNG_GENERATION_THRESHOLD = 50_000


def settle_heap() -> None:
    """Once a long-running process (a server worker, the job worker) has loaded the app and the content.

    What it holds from here on (the app, its mappers, the content tree: some 200,000 objects) lives as long as
    it does. Frozen, it is left out of the collector's full passes, each of which otherwise walked all of it and
    stalled whichever request was running by about 100 ms."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, old)


WORKER_TIMEOUT_SECONDS = 60
# gunicorn restarts a worker whose request runs past its timeout, but the request's statement goes on in PostgreSQL
# with nobody waiting for it (seen: an audit-log search still running 27 minutes on, holding a lock that kept a
# migration waiting). Web workers have PostgreSQL cancel their statements a little before gunicorn gives up.
STATEMENT_TIMEOUT_SECONDS = WORKER_TIMEOUT_SECONDS - 5


def run_gunicorn(host: str, port: int, workers: int, threads: int, app_config: dict | None = None,
                 also_bind: tuple[str, ...] = (), keep_alive: int = 5) -> int:
    """Serve until stopped; `app_config` overrides the environment's settings in every worker."""
    _ElearnServer(
        {
            "bind": [f"{host}:{port}", *also_bind],
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": WORKER_TIMEOUT_SECONDS,
            # Idle connections wait in gthread's poller, not in a thread: keeping them is cheap.
            "keepalive": keep_alive,
        },
        {"STATEMENT_TIMEOUT_SECONDS": STATEMENT_TIMEOUT_SECONDS, **(app_config or {})},
    ).run()
    return 0


def package_origin_bind(content_url: str, host: str, port: int) -> str | None:
    """The address to listen on for the SCORM package origin, when it is this machine on another port (in
    production it is a host name of its own, routed here by the reverse proxy)."""
    parts = urlsplit(content_url)
    if parts.hostname not in ("127.0.0.1", "localhost", host) or parts.port in (None, port):
        return None
    return f"{host}:{parts.port}"
