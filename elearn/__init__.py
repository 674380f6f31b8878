"""elearn: digital-literacy e-learning for Japanese local-government staff."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from elearn.config import PROJECT_ROOT, load_config


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("ELEARN_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)

    from elearn import db, errors, observability, security, static_assets
    from elearn.extensions import babel, csrf, limiter, login_manager, select_locale
    from elearn.services.people.accounts import load_user
    from elearn.templating import init_templating

    db.init_app(app)
    observability.init_app(app)
    static_assets.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.config["RATELIMIT_STORAGE_URI"] = app.config["LIMITER_STORAGE"]
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # Redis down must not take the site down: storage errors are logged and limits fall back to each
    # process's memory; sign-in stays protected by the account lockout, which lives in the database.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    security.init_app(app)
    errors.init_app(app)
    init_templating(app)

    from elearn import (
        admin,
        auth,
        certificates,
        events,
        jobs,
        learn,
        magazine,
        media,
        notices,
        ops,
        quiz,
        reports,
        scorm,
        workshops,
    )

    app.register_blueprint(auth.bp)
    app.register_blueprint(learn.bp)
    app.register_blueprint(quiz.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(certificates.bp)
    app.register_blueprint(magazine.bp)
    app.register_blueprint(events.bp)
    app.register_blueprint(notices.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(scorm.bp)
    app.register_blueprint(workshops.bp)
    app.register_blueprint(ops.bp)
    scorm.init_app(app)
    jobs.init_app(app)

    if app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)  # type: ignore[method-assign]

    from elearn.cli import register_commands

    register_commands(app)
    return app
