from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_babel import get_locale, gettext
from markupsafe import Markup, escape

from shop import clock, geo
from shop.catalog import cards, pages
from shop.catalog.groups import GROUPS, GROUPS_BY_CODE
from shop.catalog.listing import SORTS, Filters, list_products
from shop.page_cache import cached_for_anonymous
from shop.urls import external_url

bp = Blueprint("catalog", __name__)
# Every page with product cards (the home page too) puts them together from cards.py's cache.
bp.add_app_template_global(cards.render, "product_cards")


@bp.app_template_global()
def kept_fragment(name: str, listing, caller) -> Markup:
    """{% call kept_fragment(name, listing) %}…{% endcall %}: the markup the block renders from
    the listing's filters and facets alone (nothing of the visitor, the page number or stock),
    kept with the listing's selection, per language, for the next page or visitor."""
    if listing.kept is None:
        return caller()
    held, key = listing.kept
    fragment = (name, _locale(), key)
    html = held.selections.get(fragment)
    if html is None:
        html = str(caller())
        held.keep_selection(fragment, html)
    return Markup(html)  # noqa: S704 (rendered by the template, escaped there)


# --- The filter sidebar's long lists ----------------------------------------------------------
#
# A listing whose filters nobody asked for before (most of them, as shoppers combine filters)
# renders its sidebar: some seventy options and checkboxes, each of which cost Jinja a dozen
# lookups and escapes, and the sort menu's labels were lazy strings translated again at each
# use. They are put together here, with each language's words looked up once.


@bp.app_template_global()
def facet_options(values, code: str = "{}") -> Markup:
    """The <option>s of a facet (listing.FacetValue): its label and count, the chosen one
    selected; `code` writes a value as the form sends it."""
    held = current_app.extensions.setdefault("facet_option_parts", {})
    parts = []
    for v in values:
        # Each option's value and label escaped once per process (a few hundred of them).
        key = (code, v.value, v.label)
        start, label = held.get(key) or held.setdefault(
            key, (f'<option value="{escape(code.format(v.value))}"', f">{escape(v.label)} (")
        )
        parts.append(f"{start}{' selected' if v.selected else ''}{label}{v.count:d})</option>\n")
    return Markup("".join(parts))  # noqa: S704 (every value escaped above)


@bp.app_template_global()
def star_choices(values, locale: str) -> Markup:
    """A checkbox per star level (listing.FacetValue), labelled with its stars badge."""
    badges = _kept_texts(locale)["stars"]
    return Markup(  # noqa: S704 (the badges are the macro's markup; the rest are numbers)
        "".join(
            f'<div class="check">\n<input type="checkbox" id="stars-{v.value:d}" name="stars" value="{v.value:d}"'
            f'{" checked" if v.selected else ""}>\n<label for="stars-{v.value:d}">{badges[v.value]} '
            f'<span class="count">({v.count:d})</span></label>\n</div>\n'
            for v in values
        )
    )


@bp.app_template_global()
def sort_options(chosen: str, locale: str) -> Markup:
    """The sort menu's <option>s (listing.SORTS), `chosen` selected."""
    return Markup(  # noqa: S704 (labels escaped once, in _kept_texts)
        "".join(
            f'<option value="{value}"{" selected" if value == chosen else ""}>{label}</option>\n'
            for value, label in _kept_texts(locale)["sorts"]
        )
    )


@bp.app_template_global()
def pagination_nav(listing, endpoint: str, view_args=None) -> Markup:
    """The markup of the macro pagination (macros/catalog.html), whitespace and all: links to
    the previous and next pages of `listing` (of `endpoint` with `view_args`), and which page
    this is. Put together here: as a macro it cost a listing as much as its 24 cards."""
    if listing.pages <= 1:
        return Markup("\n  \n")
    words = _kept_texts(_locale())
    f, args = listing.filters, view_args or {}

    def href(page: int) -> str:
        return str(escape(url_for(endpoint, **dict(args, **f.to_args(page=page)))))

    parts = ['\n  \n    \n    <nav class="pagination" aria-label="', words["pages"], '">\n      ']
    if listing.page > 1:
        parts += ['\n        <a rel="prev" href="', href(listing.page - 1), '">', words["previous"], "</a>\n      "]
    page_of = words["page_of"] % {"page": listing.page, "pages": listing.pages}
    parts += ['\n      <span aria-current="page">', page_of, "</span>\n      "]
    if listing.page < listing.pages:
        parts += ['\n        <a rel="next" href="', href(listing.page + 1), '">', words["next"], "</a>\n      "]
    parts.append("\n    </nav>\n  \n")
    return Markup("".join(parts))  # noqa: S704 (links escaped; the words are markup, as templates take them)


def _kept_texts(locale: str) -> dict:
    """The sidebar's and the pagination's words in `locale` (the request's language), worked out
    once per process. Translations are markup, as the templates' gettext takes them."""
    held = current_app.extensions.setdefault("sidebar_texts", {})
    texts = held.get(locale)
    if texts is None:
        badge = current_app.jinja_env.get_template("macros/catalog.html").module.stars_badge
        texts = held[locale] = {
            "stars": {n: str(badge(n)) for n in (3, 4, 5)},
            "sorts": [(value, str(escape(str(label)))) for value, label in SORTS.items()],
            "pages": gettext("Pages"),
            "previous": gettext("Previous"),
            "next": gettext("Next"),
            "page_of": gettext("Page %(page)d of %(pages)d"),  # without variables: the text as translated
        }
    return texts


def _locale() -> str:
    return str(get_locale())


def _code(raw: str, width: int) -> int:
    """Province codes read "01", ward codes "00091"; anything but digits is a 404."""
    if not raw.isdigit() or len(raw) > width:
        abort(404)
    return int(raw)


def _listing_query(args) -> dict:
    return Filters.from_args(args).to_args()


def _page_query(args) -> dict:
    page = Filters.from_args(args).page
    return {"page": page} if page != 1 else {}


@bp.route("/products")
@cached_for_anonymous(_listing_query)
def products():
    filters = Filters.from_args(request.args)
    listing = list_products(filters, today=clock.today())
    return render_template(
        "catalog/products.html",
        listing=listing,
        f=filters,
        groups=GROUPS,
        group=GROUPS_BY_CODE.get(filters.group),
        locale=_locale(),
    )


@bp.route("/products/<slug>")
@cached_for_anonymous()
def product(slug: str):
    page = pages.product_page(slug, today=clock.today())
    return render_template(
        "catalog/product.html", page=page, p=page.product, locale=_locale(), json_ld=_product_json_ld(page, _locale())
    )


def _product_json_ld(page, locale: str) -> dict:
    """schema.org Product with one Offer per variant, priced in VND (no minor unit)."""
    p = page.product
    url = external_url("catalog.product", slug=p.slug)
    data = {
        "@context": "https://schema.org",
        "@type": "Product",
        "name": p.name(locale),
        "description": p.summary(locale) or p.name(locale),
        "url": url,
        "image": [external_url("static", filename=i.path) for i in p.images],
        "brand": {"@type": "Brand", "name": p.producer.name},
        "manufacturer": {
            "@type": "Organization",
            "name": p.producer.name,
            "url": external_url("catalog.producer", slug=p.producer.slug),
        },
        "countryOfOrigin": "VN",
        "offers": [
            {
                "@type": "Offer",
                "sku": v.sku,
                "name": v.name(locale),
                "price": v.price_vnd,
                "priceCurrency": "VND",
                "availability": "https://schema.org/InStock" if v.available > 0 else "https://schema.org/OutOfStock",
                "url": url,
            }
            for v in p.variants
        ],
    }
    if page.certificate:
        data["award"] = f"OCOP {page.certificate.star_level}★ ({page.certificate.decision_number})"
    return data


@bp.route("/producers/<slug>")
@cached_for_anonymous(_page_query)
def producer(slug: str):
    producer = pages.producer_by_slug(slug)
    listing = list_products(
        Filters(producer=producer.slug, page=Filters.from_args(request.args).page),
        today=clock.today(),
        with_facets=False,
    )
    certificates = pages.producer_certificates(producer)
    return render_template(
        "catalog/producer.html",
        producer=producer,
        listing=listing,
        certificates=certificates,
        locale=_locale(),
        today=clock.today(),
    )


@bp.route("/origins/<province>")
@bp.route("/origins/<province>/<ward>")
@cached_for_anonymous(_page_query)
def origin(province: str, ward: str | None = None):
    province_code = _code(province, 2)
    ward_code = _code(ward, 5) if ward is not None else None
    pages.check_origin(province_code, ward_code)
    filters = Filters(province=province_code, ward=ward_code, page=Filters.from_args(request.args).page)
    listing = list_products(filters, today=clock.today(), with_facets=False)
    return render_template(
        "catalog/origin.html",
        listing=listing,
        locale=_locale(),
        province_code=province_code,
        ward_code=ward_code,
        province_name=geo.province_name(province_code),
        ward_name=geo.ward_name(ward_code) if ward_code else None,
        producers=pages.origin_producers(province_code, ward_code),
    )


@bp.route("/sitemap.xml")
def sitemap():
    xml = render_template("catalog/sitemap.xml", entries=pages.sitemap_entries())
    return Response(xml, mimetype="application/xml")


@bp.route("/robots.txt")
def robots():
    body = f"User-agent: *\nDisallow: /account/\nDisallow: /cart\nSitemap: {external_url('catalog.sitemap')}\n"
    return Response(body, mimetype="text/plain")
