"""Small helpers shared by the views: safe redirects, role checks, service errors onto forms."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.templating import Environment as FlaskEnvironment
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from shop import geo
from shop.errors import NotFound, ShopError
from shop.extensions import db, login_manager


def safe_next(target: str | None, default: str) -> str:
    """Return `target` only if it is a path on this site; otherwise `default`.

    Rejects absolute URLs, scheme-relative `//host` and backslash tricks that browsers read as
    another host, so `?next=` can never send a user off-site.
    """
    if not target or "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def current_path() -> str:
    """The path and query of this request, for `next` links (the canonical one while a page is
    rendered for the page cache, so a cached page carries no visitor's junk parameters)."""
    if g.get("canonical_path"):
        return g.canonical_path
    return request.full_path.rstrip("?") if request.query_string else request.path


def role_required(role: str):
    """Anonymous visitors go to the login page (302); users without the role get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def no_store(view):
    """For pages with personal data (a cart, an address, an order): no browser or proxy keeps a
    copy, so the back button on a shared computer or a cache in between shows nothing of them."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapped


def form_view(view):
    """Mark a view that renders its own form errors, so a bad CSRF token re-renders the same page
    with a message (via the CSRF error handler) instead of a bare error page."""
    view.renders_form_errors = True
    return view


def put_error_on_form(form, exc: ShopError) -> None:
    """Show a service's error next to the field it names, or above the form."""
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = [*field.errors, str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


def form_action(form, *, back: str, work, missing_is_404: bool = True):
    """A button that changes something (add to cart, cancel an order, a staff move): check the
    form's CSRF token, do `work`, commit once (the mail it queued goes after the commit), say what
    happened and go back to `back`. A refused action says why and changes nothing. `work` returns the message
    to show (or a (message, category) pair, or None). A NotFound from it stays a 404 page unless
    `missing_is_404` is False, when it is shown like any other refusal."""
    if not form.validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(back)
    try:
        said = work()
    except ShopError as exc:
        db.session.rollback()
        if missing_is_404 and isinstance(exc, NotFound):
            raise
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    if said:
        message, category = said if isinstance(said, tuple) else (said, "success")
        flash(str(message), category)
    return redirect(back)


def save_form(form, work, *, done: str, put_error=put_error_on_form):
    """A valid form that changes something: do `work()` (it returns the message to show), commit
    once, say it and go to `done`. A refusal is put on the form by `put_error` (next to its
    field) and nothing changes; then None is returned and the view shows the form again."""
    try:
        message = work()
    except ShopError as exc:
        db.session.rollback()
        put_error(form, exc)
        return None
    db.session.commit()
    flash(str(message), "success")
    return redirect(done)


def refreshing_wards() -> bool:
    """The "Show communes and wards" button was pressed (address forms work without
    JavaScript): show the form again with the chosen province's list, change nothing."""
    return bool(request.form.get("refresh_wards"))


def page_locale() -> str:
    """The language this page is shown in (for mail sent to someone without an account)."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


# --- Organisations' members: the pages producers and partners share ---------------------------


def application_sent(was_rejected: bool | None) -> str:
    """What an applicant is told once the application is saved: sent (None: a first one), sent
    for review again after a rejection, or updated while it awaits review."""
    if was_rejected is None:
        return _("Thank you! Your application has been sent. We will email you once it has been reviewed.")
    if was_rejected:
        return _("Your corrected application has been sent for review again.")
    return _("Your application has been updated.")


def after_removal(response, *, removed_self: bool, still_member):
    """After a member was removed: someone who removed themselves and so no longer acts for the
    organisation (`still_member()` is false) goes to the home page, as its pages are closed to
    them now."""
    if removed_self and response.status_code == 302 and not still_member():
        return redirect(url_for("main.index"))
    return response


def invitation_page(
    token: str, *, form, find, accept, names, template: str, org_attr: str, session_key: str, dashboard: str
):
    """The link in an invitation: log in (or sign up) with the invited address, then accept.
    `find(token)` gives the open invitation (or raises), `names(invitation)` what the template
    shows of it besides the invitation, `accept(token, user)` the new membership, whose
    organisation (`membership.<org_attr>`) the user then acts for (its id kept in the session
    under `session_key`); `dashboard` is where they go next."""
    try:
        invited = find(token)
    except ShopError as exc:
        return render_template(template, invitation=None, message=exc.message), exc.status
    context = {"invitation": invited, **names(invited)}
    if request.method == "POST" and current_user.is_authenticated:
        if not form.validate_on_submit():
            flash(_("Your form expired. Please try again."), "error")
            return redirect(url_for(request.endpoint, token=token))
        try:
            membership = accept(token, current_user)
        except ShopError as exc:
            db.session.rollback()
            return render_template(template, message=exc.message, wrong_user=True, **context), exc.status
        db.session.commit()
        org = getattr(membership, org_attr)
        session[session_key] = org.id
        flash(_("Welcome! You now act for %(name)s.", name=org.name), "success")
        return redirect(url_for(dashboard))
    if request.method == "POST":
        return login_manager.unauthorized()
    wrong_user = current_user.is_authenticated and current_user.email != invited.email
    return render_template(template, message=None, wrong_user=wrong_user, **context)


# --- Addresses in forms ---------------------------------------------------------------------

MAX_PLACE_CODE = 10**6


def place_code(value):
    """A province or ward code from a form: whole ASCII digits in range, else None (the service
    then asks for a province or ward of the list)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_PLACE_CODE else None
    text = str(value or "").strip()
    if not text or len(text) > 7 or not (text.isascii() and text.isdecimal()):
        return None
    number = int(text)
    return number if 1 <= number <= MAX_PLACE_CODE else None


class PlaceChoices:
    """Mixed into forms with an address under the current two-tier units (fields
    `province_code` and `ward_code`, coerced with `place_code`)."""

    def set_place_choices(self, province: int | None) -> None:
        self.province_code.choices = [SelectChoice("", _l("Choose a province or city"))] + [
            SelectChoice(code, name) for code, name in geo.provinces()
        ]
        wards = geo.wards(province) if province else ()
        self.ward_code.choices = [SelectChoice("", _l("Choose a commune or ward"))] + [
            SelectChoice(code, name) for code, name in wards
        ]


class TemplateEnvironment(FlaskEnvironment):
    """Flask's Jinja environment, with each template's globals a plain dict.

    Jinja keeps a template's globals as a ChainMap over the environment's, and every render
    copies them into the context key by key (a Python lookup through the ChainMap for each of
    some forty globals, ~25 µs), and every `{% from … import … %}` compares them key by key
    with the imported template's (~60 µs an import): about a tenth of a catalog page. A dict
    is copied and compared in C. The environment's globals are set while the app is made;
    should they change later, the templates loaded so far are dropped, so that each is loaded
    again with the new ones (what the ChainMap gave)."""

    def __init__(self, app, **options):
        super().__init__(app, **options)
        self.globals = _Globals(self.globals, changed=self._globals_changed)

    def make_globals(self, d):
        return {**self.globals, **d} if d else dict(self.globals)

    def _globals_changed(self) -> None:
        if self.cache is not None:
            self.cache.clear()


class _Globals(dict):
    """A dict that says when it changes."""

    def __init__(self, values, *, changed):
        super().__init__(values)
        self._changed = changed

    def _after(name):  # noqa: N805 (builds the methods below)
        def method(self, *args, **kwargs):
            result = getattr(dict, name)(self, *args, **kwargs)
            self._changed()
            return result

        method.__name__ = name
        return method

    __setitem__ = _after("__setitem__")
    __delitem__ = _after("__delitem__")
    __ior__ = _after("__ior__")
    update = _after("update")
    pop = _after("pop")
    popitem = _after("popitem")
    setdefault = _after("setdefault")
    clear = _after("clear")
    del _after
