"""Flask extensions, created unbound and initialised in create_app."""

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

from elearn import limiter_storage  # noqa: F401  (registers the database:// limiter storage)

csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)

LOCALE_COOKIE = "elearn_lang"


def select_locale() -> str:
    """Japanese unless the person chose another language; the browser's Accept-Language is ignored
    because shared office PCs are often set up in English."""
    chosen = request.cookies.get(LOCALE_COOKIE)
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
