"""gunicorn embedded, so `elearn serve` needs no separate configuration file."""

from __future__ import annotations

from gunicorn.app.base import BaseApplication


class _ElearnServer(BaseApplication):
    def __init__(self, options: dict) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from elearn import create_app
        from elearn.services import content

        app = create_app()
        # Content is read once per process at start, so no request (and no write lock) waits for it.
        with app.app_context():
            content.tree()
        return app


def run_gunicorn(host: str, port: int, workers: int, threads: int) -> int:
    _ElearnServer(
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "accesslog": "-",
            "timeout": 60,
        }
    ).run()
    return 0
