from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import services
from shop.accounts.forms import (
    ChangePasswordForm,
    FinishSignupForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from shop.errors import ShopError, error_response, wants_json
from shop.extensions import db
from shop.web import form_view, put_error_on_form, safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")

# What a visitor's session keeps across logging in: the language they picked and the links to
# their own guest orders. (Their cart is merged into the account's.) Everything else, the CSRF
# token included, starts again, so a session someone planted before the log-in is worth nothing.
_KEPT_AT_LOGIN = ("lang", "orders")
_SIGNUP_EMAIL = "signup_email"


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _refused(template: str, form, exc: ShopError, **context):
    """A service said no: the form again with the reason (JSON clients get the JSON error), with
    the status and headers the error asks for (429 and Retry-After for a limit)."""
    db.session.rollback()
    if wants_json():
        return error_response(exc.status, exc.code, exc.message, exc.headers)
    put_error_on_form(form, exc)
    return render_template(template, form=form, **context), exc.status, exc.headers


def _start_session(user, *, remember: bool) -> None:
    """Log `user` in with a new session and a new login session on the server."""
    previous = dict(session)
    kept = {key: previous[key] for key in _KEPT_AT_LOGIN if key in previous}
    if current_user.is_authenticated:
        # Whoever was logged in here before is logged out on the server too.
        services.end_login_session(current_user)
    session.clear()
    services.start_login_session(user, remember=remember)
    login_user(user, remember=remember)
    if not remember and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies:
        session["_remember"] = "clear"  # an older remember cookie must not outlive this log-in
    session.update(kept)
    # Packages above accounts (the cart) carry over what the guest had.
    services.logged_in.send(user, previous=previous)
    # The profile's language wins; a visitor with no saved preference keeps what they picked.
    if user.locale:
        session["lang"] = user.locale
    elif session.get("lang") in current_app.config["LANGUAGES"]:
        services.set_locale(user, session["lang"])


@bp.route("/register", methods=["GET", "POST"])
@form_view
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            mail = services.request_signup(form.email.data, locale=_locale(), ip=request.remote_addr)
        except ShopError as exc:
            return _refused("accounts/register.html", form, exc)
        session[_SIGNUP_EMAIL] = mail.to_addr
        db.session.commit()
        return redirect(url_for("accounts.signup_sent"))
    return render_template("accounts/register.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/register/sent")
def signup_sent():
    # The same page whether the address is new or has an account: only its mailbox learns which.
    email = session.get(_SIGNUP_EMAIL)
    if not email:
        return redirect(url_for("accounts.register"))
    return render_template("accounts/signup_sent.html", email=email)


@bp.route("/register/<token>", methods=["GET", "POST"])
@form_view
def finish_signup(token: str):
    try:
        email, _link_locale = services.signup_for_token(token)
    except ShopError as exc:
        return render_template("accounts/signup_invalid.html", message=exc.message), exc.status
    form = FinishSignupForm()
    if form.validate_on_submit():
        try:
            user = services.finish_signup(
                token,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data,
                locale=session.get("lang") if session.get("lang") in current_app.config["LANGUAGES"] else None,
            )
        except ShopError as exc:
            return _refused("accounts/finish_signup.html", form, exc, email=email, token=token)
        session.pop(_SIGNUP_EMAIL, None)
        _start_session(user, remember=False)
        db.session.commit()
        flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
        return redirect(url_for("main.index"))
    status = 400 if form.is_submitted() else 200
    return render_template("accounts/finish_signup.html", form=form, email=email, token=token), status


@bp.route("/login", methods=["GET", "POST"])
@form_view
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("main.index")))
    if form.validate_on_submit():
        try:
            user = services.log_in(form.email.data, form.password.data, ip=request.remote_addr)
        except ShopError as exc:
            return _refused("accounts/login.html", form, exc)
        _start_session(user, remember=bool(form.remember.data))
        db.session.commit()
        flash(_("You are logged in."), "success")
        return redirect(safe_next(form.next.data, url_for("main.index")))
    return render_template("accounts/login.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        if current_user.is_authenticated:
            # Ended on the server: a copy of the session or remember cookie no longer logs in.
            services.end_login_session(current_user)
        # The next person at this computer must not see this shopper's cart, orders or details.
        lang = session.get("lang")
        session.clear()
        logout_user()
        if lang:
            session["lang"] = lang
        db.session.commit()
        flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@form_view
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        try:
            services.request_password_reset(form.email.data, locale=_locale(), ip=request.remote_addr)
        except ShopError as exc:
            return _refused("accounts/forgot.html", form, exc)
        db.session.commit()
        # The same answer whether or not the address has an account.
        flash(
            _(
                "If an account uses that address, we have sent it a link to choose a new password. "
                "The link works for %(minutes)d minutes.",
                minutes=current_app.config["PASSWORD_RESET_MAX_AGE"] // 60,
            ),
            "success",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/reset/<token>", methods=["GET", "POST"])
@form_view
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ShopError as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ShopError as exc:
            return _refused("accounts/reset.html", form, exc, token=token)
        # Every other session of the account has ended; this one starts afresh.
        _start_session(user, remember=False)
        db.session.commit()
        flash(_("Your password has been changed and you are logged in."), "success")
        return redirect(url_for("main.index"))
    return render_template("accounts/reset.html", form=form, token=token), 400 if form.is_submitted() else 200


def _submit(form, work, done):
    """Validate `form`, do `work` and commit once. Returns the redirect back to the profile (with
    `done` said in the language now in force) or the status to show the page again with."""
    if not form.validate_on_submit():
        return 400
    try:
        work()
    except ShopError as exc:
        db.session.rollback()
        put_error_on_form(form, exc)
        return exc.status
    db.session.commit()
    refresh()  # the confirmation is in the language just chosen
    flash(str(done), "success")
    return redirect(url_for("accounts.profile"))


def _update_profile(form: ProfileForm) -> None:
    services.update_profile(current_user, name=form.name.data, phone=form.phone.data, locale=form.locale.data)
    session["lang"] = current_user.locale


def _change_password(form: ChangePasswordForm) -> None:
    services.change_password(
        current_user, current_password=form.current_password.data, new_password=form.new_password.data
    )


@bp.route("/profile", methods=["GET", "POST"])
@form_view
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm()
    outcome = 200
    if request.method == "GET":
        form.locale.data = current_user.locale or _locale()
    elif "current_password" in request.form:
        outcome = _submit(password_form, lambda: _change_password(password_form), _l("Your password has been changed."))
    else:
        outcome = _submit(form, lambda: _update_profile(form), _l("Your profile has been saved."))
    if not isinstance(outcome, int):
        return outcome
    return render_template("accounts/profile.html", form=form, password_form=password_form), outcome


lang_bp = Blueprint("lang", __name__)


@lang_bp.route("/lang", methods=["POST"])
def switch_language():
    form = LanguageForm()
    target = safe_next(form.next.data, url_for("main.index"))
    if form.validate_on_submit() and form.lang.data in current_app.config["LANGUAGES"]:
        session["lang"] = form.lang.data
        if current_user.is_authenticated:
            services.set_locale(current_user, form.lang.data)
            db.session.commit()
    return redirect(target)
