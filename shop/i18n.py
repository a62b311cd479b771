"""Language choice: the session (what the visitor picked), then the profile, then Accept-Language;
and the templates' gettext."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_locale, get_translations
from flask_login import current_user


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
    """Templates' _, gettext and ngettext (installed by Flask-Babel) look up the translations
    once per language a request uses, not once per string: Flask-Babel finds them through
    about ten context lookups a call, and a catalog page has some forty strings (a tenth of
    its time). Keyed by the locale object, so force_locale (mail in the recipient's language)
    still gets its own."""

    def translations():
        locale = get_locale()
        held = g.get("_template_translations")
        if held is None or held[0] is not locale:
            held = g._template_translations = (locale, get_translations())
        return held[1]

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
