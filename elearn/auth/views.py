from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from wtforms.fields.choices import SelectChoice

from elearn.auth.forms import ChangePasswordForm, EmptyForm, NewPasswordForm, SignInForm
from elearn.extensions import LOCALE_COOKIE, limiter
from elearn.security import start_session_clock
from elearn.services import notices
from elearn.services.people import accounts, orgs
from elearn.services.people.accounts import SignInOutcome
from elearn.services.people.passwords import verify_password
from elearn.web import safe_next_url

bp = Blueprint("auth", __name__)

# A failed sign-in re-renders the form (200); success redirects. Only failures count per address.
_sign_in_address_limit = limiter.limit(
    lambda: current_app.config["SIGN_IN_ADDRESS_LIMIT"],
    methods=["POST"],
    deduct_when=lambda response: response.status_code != 302,
)


@bp.route("/sign-in", methods=["GET", "POST"])
@_sign_in_address_limit
def sign_in():
    if current_user.is_authenticated:
        return redirect(url_for("learn.home"))
    form = SignInForm()
    form.body.choices = [SelectChoice(body.code, body.name) for body in orgs.bodies()]
    if form.validate_on_submit():
        result = accounts.sign_in(form.body.data, form.sign_in_name.data, form.password.data)
        if result.outcome is SignInOutcome.LOCKED:
            return render_template("errors/429.html"), 429
        if result.outcome is SignInOutcome.EXPIRED_INITIAL_PASSWORD:
            flash(_("Your initial password has expired. Ask your administrator for a new one."), "error")
        elif result.outcome is SignInOutcome.OK:
            session.clear()
            login_user(result.user, remember=form.remember.data)
            start_session_clock(remembered=form.remember.data)
            chosen = request.cookies.get(LOCALE_COOKIE)
            if chosen in current_app.config["LANGUAGES"] and result.user.locale != chosen:
                notices.remember_locale(result.user.id, chosen)  # chosen on this PC before signing in
            if result.user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next_url(request.args.get("next"), url_for("learn.home")))
        else:
            flash(_("The sign-in name or password is incorrect."), "error")
    return render_template("auth/sign_in.html", form=form)


@bp.post("/sign-out")
@login_required
def sign_out():
    form = EmptyForm()
    if form.validate_on_submit():
        accounts.end_all_sessions(current_user.id)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    forced = current_user.must_change_password
    form_class = NewPasswordForm if forced else ChangePasswordForm
    form = form_class(staff_number=current_user.staff_number, email=current_user.email)
    if form.validate_on_submit():
        if not forced and not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("The current password is incorrect."))
        else:
            user = accounts.set_password(current_user.id, form.new_password.data)
            # The token changed: sign this session in again; every other session has ended.
            login_user(user, remember=session.get("remembered", False))
            flash(_("Your password has been changed. Other sessions have been signed out."), "success")
            return redirect(url_for("learn.home"))
    return render_template("auth/change_password.html", form=form, forced=forced)


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = accounts.user_for_reset_token(token)
    if user is None:
        return render_template("auth/reset_invalid.html"), 404
    form = NewPasswordForm(staff_number=user.staff_number, email=user.email)
    if form.validate_on_submit():
        if accounts.consume_reset_token(token, form.new_password.data) is None:
            return render_template("auth/reset_invalid.html"), 404
        flash(_("Your password has been set. Please sign in."), "success")
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.get("/language/<code>")
def choose_language(code: str):
    response = redirect(safe_next_url(request.args.get("next"), url_for("learn.home")))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LOCALE_COOKIE, code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        if current_user.is_authenticated and current_user.locale != code:
            notices.remember_locale(current_user.id, code)  # mail follows the language chosen here
    return response


@bp.before_app_request
def _force_password_change():
    allowed = {"auth.change_password", "auth.sign_out", "auth.choose_language", "static"}
    if current_user.is_authenticated and current_user.must_change_password and request.endpoint not in allowed:
        return redirect(url_for("auth.change_password"))
    return None
