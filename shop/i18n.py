"""Language choice: the session (what the visitor picked), then the profile, then Accept-Language;
and the templates' gettext."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from markupsafe import Markup


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def install_template_gettext(app: Flask) -> None:
    """Templates' _, gettext and ngettext, as Jinja's newstyle gettext behaves (the variables
    escaped, the text always a format string), at half the cost: a catalog page has some forty
    strings, and each went through Flask-Babel's lookup of the translations (about ten context
    lookups) and Jinja's two context calls. The translations are looked up once per language
    a request uses, keyed by the locale object, so force_locale (mail in the recipient's
    language) still gets its own.

    The request's `g` is looked up once a string, and the locale read where Flask-Babel keeps
    it there (what get_locale returns once it has chosen; force_locale replaces it): going
    through `g`'s proxy for each of get_locale's lookups was most of a string's cost."""

    def translations():
        here = g._get_current_object()
        babel_context = here.__dict__.get("_flask_babel")
        locale = getattr(babel_context, "babel_locale", None)
        held = here.__dict__.get("_template_translations")
        if locale is None or held is None or held[0] is not locale:
            locale = get_locale()  # chooses the request's language the first time
            held = here._template_translations = (locale, get_translations())
        return held[1]

    @pass_eval_context
    def gettext(eval_ctx, string: str, **variables) -> str:
        text = translations().ugettext(string)
        if eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 (a translation is markup, as Jinja's gettext takes it)
        return text % variables if "%" in text else text  # without a "%" formatting changes nothing

    @pass_eval_context
    def ngettext(eval_ctx, singular: str, plural: str, num: int, **variables) -> str:
        variables.setdefault("num", num)
        text = translations().ungettext(singular, plural, num)
        if eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704
        return text % variables if "%" in text else text

    # Installed as Flask-Babel does ({% trans %} blocks compile against this), then replaced by
    # the functions above, which give the same text.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals.update(_=gettext, gettext=gettext, ngettext=ngettext)
