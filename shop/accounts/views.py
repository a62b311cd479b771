from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from shop.accounts import services
from shop.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    LogoutForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
)
from shop.cart.services import merge_guest_cart
from shop.errors import ShopError
from shop.extensions import db, limiter
from shop.mail.services import deliver_pending
from shop.web import form_view, put_error_on_form, safe_next

bp = Blueprint("accounts", __name__, url_prefix="/account")


def _login_limit_per_ip() -> str:
    return current_app.config["LOGIN_LIMIT_PER_IP"]


def _login_limit_per_account() -> str:
    return current_app.config["LOGIN_LIMIT_PER_ACCOUNT"]


def _account_key() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _failed(response) -> bool:
    # Only failed attempts count, so a person who logs in and out often is never locked out.
    return response.status_code >= 400


def _locale() -> str:
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def _start_session(user, *, remember: bool) -> None:
    login_user(user, remember=remember)
    # What a guest put in their cart follows them into their account.
    merge_guest_cart(user.id, session.pop("cart_key", None))
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
    status = 200
    if form.validate_on_submit():
        try:
            user = services.register_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                phone=form.phone.data,
                locale=_locale(),
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
            status = exc.status
        else:
            _start_session(user, remember=False)
            db.session.commit()
            flash(_("Welcome, %(name)s! Your account is ready.", name=user.name), "success")
            return redirect(url_for("main.index"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@form_view
@limiter.limit(_login_limit_per_ip, methods=["POST"], scope="login-ip", deduct_when=_failed)
@limiter.limit(
    _login_limit_per_account, methods=["POST"], key_func=_account_key, scope="login-account", deduct_when=_failed
)
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(form.next.data, url_for("main.index")))
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data)
        except ShopError as exc:
            put_error_on_form(form, exc)
            status = exc.status
        else:
            _start_session(user, remember=bool(form.remember.data))
            db.session.commit()
            flash(_("You are logged in."), "success")
            return redirect(safe_next(form.next.data, url_for("main.index")))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.errorhandler(429)
def too_many_attempts(exc):
    if request.endpoint == "accounts.login":
        form = LoginForm()
        form.form_errors.append(
            _(
                "Too many failed login attempts. For your safety, please wait a few minutes and try again, "
                "or reset your password."
            )
        )
        return render_template("accounts/login.html", form=form), 429
    from shop.errors import error_response

    return error_response(429, "rate_limited")


@bp.route("/logout", methods=["POST"])
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        logout_user()
        # The next person at this computer must not see this shopper's cart or orders.
        session.pop("cart_key", None)
        session.pop("orders", None)
        session.pop("checkout", None)
        flash(_("You are logged out."), "success")
    return redirect(url_for("main.index"))


@bp.route("/forgot", methods=["GET", "POST"])
@form_view
@limiter.limit(_login_limit_per_ip, methods=["POST"], scope="forgot-ip")
def forgot_password():
    form = ForgotPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            mail_id = services.request_password_reset(
                form.email.data,
                reset_url_for=lambda token: url_for("accounts.reset_password", token=token, _external=True),
                locale=_locale(),
            )
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
            status = exc.status
        else:
            db.session.commit()
            if mail_id is not None:
                deliver_pending([mail_id])
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
    elif form.is_submitted():
        status = 400
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@form_view
def reset_password(token: str):
    try:
        services.user_for_reset_token(token)
    except ShopError as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 400
    form = ResetPasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.reset_password(token, form.password.data)
        except ShopError as exc:
            db.session.rollback()
            put_error_on_form(form, exc)
            status = exc.status
        else:
            _start_session(user, remember=False)
            db.session.commit()
            flash(_("Your password has been changed and you are logged in."), "success")
            return redirect(url_for("main.index"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/reset.html", form=form, token=token), status


@bp.route("/profile", methods=["GET", "POST"])
@form_view
@login_required
def profile():
    form = ProfileForm(obj=current_user)
    password_form = ChangePasswordForm()
    if request.method == "GET":
        form.locale.data = current_user.locale or _locale()
    status = 200
    if request.method == "POST" and "current_password" not in request.form:
        if form.validate_on_submit():
            try:
                services.update_profile(
                    current_user, name=form.name.data, phone=form.phone.data, locale=form.locale.data
                )
            except ShopError as exc:
                db.session.rollback()
                put_error_on_form(form, exc)
                status = exc.status
            else:
                session["lang"] = current_user.locale
                db.session.commit()
                refresh()  # the confirmation below is in the language just chosen
                flash(_("Your profile has been saved."), "success")
                return redirect(url_for("accounts.profile"))
        else:
            status = 400
    elif request.method == "POST":
        if password_form.validate_on_submit():
            try:
                services.change_password(
                    current_user,
                    current_password=password_form.current_password.data,
                    new_password=password_form.new_password.data,
                )
            except ShopError as exc:
                db.session.rollback()
                put_error_on_form(password_form, exc)
                status = exc.status
            else:
                db.session.commit()
                flash(_("Your password has been changed."), "success")
                return redirect(url_for("accounts.profile"))
        else:
            status = 400
    return render_template("accounts/profile.html", form=form, password_form=password_form), status


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
