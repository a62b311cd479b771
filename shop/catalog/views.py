from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import get_locale
from markupsafe import Markup

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
        sorts=SORTS,
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
