"""A producer's listings: its products, their packs and pictures. Every id in a URL is looked up
among the acting producer's own (own_or_404), so another producer's id is a 404."""

from __future__ import annotations

from dataclasses import asdict

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from shop.catalog import editing, images
from shop.catalog.models import Product, ProductImage, Variant
from shop.errors import ShopError
from shop.extensions import csrf, db
from shop.portal.access import own_or_404, producer_required
from shop.portal.listing_forms import ActionForm, AltForm, ImageForm, ProductForm, VariantForm
from shop.portal.views import bp, portal_nav
from shop.web import form_action, form_view, no_store, put_error_on_form

portal_nav.add(20, "producers.products", _l("Products"))

PER_PAGE = 50
# Room for the form's other fields around the largest picture accepted.
_FORM_ROOM = 64 * 1024


@bp.record_once
def _serve_uploads(state) -> None:
    # The pictures' paths are under static/'s address (url_for('static', filename=image.path)),
    # and more specific than Flask's own static rule, so this one answers for them.
    state.app.add_url_rule(
        "/static/uploads/products/<path:filename>", endpoint="product_upload", view_func=images.send_upload
    )


def _locale() -> str:
    return str(get_locale())


def _own_variant(variant_id: int) -> Variant:
    return own_or_404(Variant, variant_id, producer_of=lambda v: v.product.producer_id)


def _own_image(image_id: int) -> ProductImage:
    return own_or_404(ProductImage, image_id, producer_of=lambda i: i.product.producer_id)


def _show_errors(form, exc: ShopError) -> None:
    """A service's refusal next to each field it names (or above the form)."""
    db.session.rollback()
    for field, message in getattr(exc, "errors", {exc.field: exc.message}).items():
        put_error_on_form(form, ShopError(message, field=field))


def _page(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and len(raw) < 6 and int(raw) > 0 else 1


@bp.route("/products")
@producer_required
@no_store
def products():
    status = request.args.get("status") or None
    if status not in editing.STATUSES:
        status = None
    page = _page(request.args.get("page"))
    rows, total = editing.producer_products(g.producer.id, status=status, page=page, per_page=PER_PAGE)
    return render_template(
        "portal/listings/products.html",
        products=rows,
        total=total,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        status=status,
        statuses=editing.STATUS_LABELS,
        locale=_locale(),
    )


def _product_form(product: Product | None = None) -> ProductForm:
    if request.method == "POST":
        form = ProductForm()
    elif product is not None:
        shown = asdict(editing.ProductDetails.of(product))
        form = ProductForm(formdata=None, data={k: _as_text(v) for k, v in shown.items()})
    else:
        form = ProductForm(
            formdata=None,
            data={"province_code": str(g.producer.province_code), "ward_code": str(g.producer.ward_code)},
        )
    form.set_choices()
    return form


def _as_text(value):
    return "" if value is None else str(value)


def _refreshing() -> bool:
    """The form was sent to list the communes of the province chosen (the page works without
    JavaScript)."""
    return bool(request.form.get("refresh_wards"))


@bp.route("/products/new", methods=["GET", "POST"])
@producer_required
@no_store
@form_view
def products_new():
    form = _product_form()
    if request.method == "POST" and not _refreshing() and form.validate_on_submit():
        try:
            product = editing.create_product(g.producer, editing.ProductDetails.from_form(form), actor=current_user)
        except ShopError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            name = product.name_vi
            message = _("“%(name)s” is saved as a draft. Add its packs and pictures, then publish it.", name=name)
            flash(message, "success")
            return redirect(url_for("producers.products_edit", product_id=product.id))
    status = 400 if request.method == "POST" and not _refreshing() else 200
    return render_template("portal/listings/product_form.html", form=form, product=None, locale=_locale()), status


@bp.route("/products/<int:product_id>", methods=["GET", "POST"])
@producer_required
@no_store
@form_view
def products_edit(product_id: int):
    product = own_or_404(Product, product_id)
    form = _product_form(product)
    if request.method == "POST" and not _refreshing() and form.validate_on_submit():
        try:
            changed = editing.update_product(product, editing.ProductDetails.from_form(form), actor=current_user)
        except ShopError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("producers.products_edit", product_id=product.id))
    status = 400 if request.method == "POST" and not _refreshing() else 200
    return render_template(
        "portal/listings/product_form.html",
        form=form,
        product=product,
        action_form=ActionForm(formdata=None),
        problems=editing.publish_problems(product),
        live=editing.is_live(product),
        status_labels=editing.STATUS_LABELS,
        locale=_locale(),
    ), status


_MOVES = {
    "publish": editing.publish_product,
    "unpublish": editing.unpublish_product,
    "archive": editing.archive_product,
    "restore": editing.restore_product,
}


def _moved(action: str, name: str) -> str:
    if action == "publish":
        return _("“%(name)s” is published.", name=name)
    if action == "unpublish":
        return _("“%(name)s” is back in the drafts and out of the shop.", name=name)
    if action == "archive":
        return _("“%(name)s” is archived.", name=name)
    return _("“%(name)s” is back in the drafts.", name=name)


@bp.route("/products/<int:product_id>/<any(publish, unpublish, archive, restore):action>", methods=["POST"])
@producer_required
def products_status(product_id: int, action: str):
    product = own_or_404(Product, product_id)

    def work():
        _MOVES[action](product, actor=current_user)
        return _moved(action, product.name_vi)

    return form_action(ActionForm(), back=url_for("producers.products_edit", product_id=product.id), work=work)


# --- Packs ----------------------------------------------------------------------------------


@bp.route("/products/<int:product_id>/variants/new", methods=["GET", "POST"])
@producer_required
@no_store
@form_view
def products_variant_new(product_id: int):
    product = own_or_404(Product, product_id)
    form = VariantForm()
    if form.validate_on_submit():
        try:
            variant = editing.add_variant(product, editing.VariantDetails.from_form(form), actor=current_user)
        except ShopError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("The pack %(sku)s is added. Set its stock on the Stock page.", sku=variant.sku), "success")
            return redirect(url_for("producers.products_edit", product_id=product.id) + "#variants-heading")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "portal/listings/variant_form.html", form=form, product=product, variant=None, locale=_locale()
    ), status


@bp.route("/variants/<int:variant_id>", methods=["GET", "POST"])
@producer_required
@no_store
@form_view
def products_variant_edit(variant_id: int):
    variant = _own_variant(variant_id)
    product = variant.product
    form = VariantForm() if request.method == "POST" else VariantForm(formdata=None, obj=variant)
    if request.method == "POST" and form.validate_on_submit():
        try:
            changed = editing.update_variant(variant, editing.VariantDetails.from_form(form), actor=current_user)
        except ShopError as exc:
            _show_errors(form, exc)
        else:
            db.session.commit()
            flash(_("Saved.") if changed else _("Nothing was changed."), "success")
            return redirect(url_for("producers.products_edit", product_id=product.id) + "#variants-heading")
    status = 400 if request.method == "POST" else 200
    return render_template(
        "portal/listings/variant_form.html",
        form=form,
        product=product,
        variant=variant,
        action_form=ActionForm(formdata=None),
        locale=_locale(),
    ), status


@bp.route("/variants/<int:variant_id>/delete", methods=["POST"])
@producer_required
def products_variant_delete(variant_id: int):
    variant = _own_variant(variant_id)
    product_id, sku = variant.product_id, variant.sku
    back = url_for("producers.products_variant_edit", variant_id=variant_id)
    if not ActionForm().validate_on_submit():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(back)
    try:
        editing.delete_variant(variant, actor=current_user)
    except ShopError as exc:
        db.session.rollback()
        flash(str(exc.message), "error")
        return redirect(back)
    db.session.commit()
    flash(_("The pack %(sku)s is deleted.", sku=sku), "success")
    return redirect(url_for("producers.products_edit", product_id=product_id) + "#variants-heading")


# --- Pictures -------------------------------------------------------------------------------


def _images_page(product: Product, form: ImageForm, status: int = 200):
    ordered = sorted(product.images, key=lambda i: (i.position, i.id))
    alt_forms = {
        i.id: AltForm(formdata=None, prefix=f"image-{i.id}", data={"alt_vi": i.alt_vi, "alt_en": i.alt_en or ""})
        for i in ordered
    }
    return render_template(
        "portal/listings/images.html",
        product=product,
        form=form,
        images=ordered,
        alt_forms=alt_forms,
        action_form=ActionForm(formdata=None),
        max_megabytes=images.max_bytes() // 1_048_576,
        locale=_locale(),
    ), status


@bp.route("/products/<int:product_id>/images", methods=["GET", "POST"])
@producer_required
@no_store
def products_images(product_id: int):
    product = own_or_404(Product, product_id)
    if request.method != "POST":
        return _images_page(product, ImageForm(formdata=None))
    # Set before the body is read: a larger upload is refused without being spooled to disk.
    # (This view is exempt from the app-wide CSRF check, which would read the body first; the
    # form checks its own token.)
    request.max_content_length = images.max_bytes() * 2 + _FORM_ROOM
    try:
        request.files  # noqa: B018  (parses the body within the limit)
    except RequestEntityTooLarge:
        form = ImageForm(formdata=None)
        form.file.errors = [
            _("The picture is larger than %(size)s MB. Send a smaller one.", size=images.max_bytes() // 1_048_576)
        ]
        return _images_page(product, form, 413)
    form = ImageForm()
    if not form.validate_on_submit():
        if form.csrf_token.errors:
            form.form_errors.append(_("Your form expired or was sent from another page. Please send it again."))
        return _images_page(product, form, 400)
    try:
        images.add_image(product, form.file.data, alt_vi=form.alt_vi.data, alt_en=form.alt_en.data, actor=current_user)
    except ShopError as exc:
        _show_errors(form, exc)
        return _images_page(product, form, 400)
    db.session.commit()
    flash(_("The picture is added."), "success")
    return redirect(url_for("producers.products_images", product_id=product.id))


csrf.exempt(products_images)


@bp.route("/images/<int:image_id>", methods=["POST"])
@producer_required
def products_image_update(image_id: int):
    image = _own_image(image_id)
    product = image.product
    form = AltForm(prefix=f"image-{image.id}")
    back = url_for("producers.products_images", product_id=product.id)

    def work():
        changed = images.update_image(image, alt_vi=form.alt_vi.data, alt_en=form.alt_en.data, actor=current_user)
        return _("Saved.") if changed else _("Nothing was changed.")

    return form_action(form, back=back, work=work)


@bp.route("/images/<int:image_id>/move", methods=["POST"])
@producer_required
def products_image_move(image_id: int):
    image = _own_image(image_id)
    form = ActionForm()
    back = url_for("producers.products_images", product_id=image.product_id) + f"#image-{image.id}"

    def work():
        moved = images.move_image(image, -1 if form.direction.data == "up" else 1, actor=current_user)
        return _("The order of the pictures is saved.") if moved else None

    return form_action(form, back=back, work=work)


@bp.route("/images/<int:image_id>/delete", methods=["POST"])
@producer_required
def products_image_delete(image_id: int):
    image = _own_image(image_id)
    back = url_for("producers.products_images", product_id=image.product_id)

    def work():
        images.delete_image(image, actor=current_user)
        return _("The picture is deleted.")

    return form_action(ActionForm(), back=back, work=work)
