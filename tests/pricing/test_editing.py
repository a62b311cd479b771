"""Changing prices: a producer's quantity rules and volume breaks, an admin's negotiated prices
and VAT rates. Each change is checked, and each one is in the audit log with before and after."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.errors import ConflictError, Forbidden, NotFound, ValidationError
from shop.extensions import db
from shop.pricing import editing, vat_table
from shop.pricing.models import PartnerPrice, PriceBreak, VatRate
from tests.pricing.conftest import a_partner, negotiated, with_breaks


def _audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


# --- Quantity rules ------------------------------------------------------------------------------


def test_a_producer_sets_a_packs_rules_and_the_log_shows_before_and_after(pack, owner):
    assert editing.set_partner_rules(pack, min_qty=12, max_qty=120, step=6, actor=owner)
    db.session.commit()
    assert (pack.partner_min_qty, pack.partner_max_qty, pack.partner_step) == (12, 120, 6)
    (entry,) = _audit("variant.partner_rules")
    assert entry.before == {"partner_min_qty": None, "partner_max_qty": None, "partner_step": 1}
    assert entry.after == {"partner_min_qty": 12, "partner_max_qty": 120, "partner_step": 6}
    assert (entry.actor_email, entry.actor_role, entry.producer_id) == (
        owner.email,
        "producer",
        pack.product.producer_id,
    )


def test_the_same_rules_again_change_nothing(pack, owner):
    editing.set_partner_rules(pack, min_qty=None, max_qty=None, step=1, actor=owner)
    assert _audit("variant.partner_rules") == []


def test_rules_off_the_step_are_refused(pack, owner):
    with pytest.raises(ValidationError) as refused:
        editing.set_partner_rules(pack, min_qty=10, max_qty=None, step=6, actor=owner)
    assert refused.value.field == "partner_min_qty"


def test_new_rules_must_still_allow_every_break_and_the_message_names_it(pack, owner):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    with pytest.raises(ValidationError) as refused:
        editing.set_partner_rules(pack, min_qty=None, max_qty=None, step=6, actor=owner)
    message = str(refused.value.message)
    assert "from 10 units (90.000 ₫)" in message
    assert "Order in steps of 6: 6 or 12." in message
    db.session.rollback()
    with pytest.raises(ValidationError) as refused:
        editing.set_partner_rules(pack, min_qty=None, max_qty=40, step=1, actor=owner)
    assert "from 50 units (80.000 ₫)" in str(refused.value.message)
    assert "The maximum for partners is 40." in str(refused.value.message)


def test_rules_every_break_fits_are_accepted(pack, owner):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    assert editing.set_partner_rules(pack, min_qty=5, max_qty=100, step=5, actor=owner)


# --- Volume breaks -------------------------------------------------------------------------------


def test_a_producer_adds_a_break_and_the_log_shows_it(pack, owner):
    price_break = editing.add_break(pack, min_qty=10, unit_price_vnd=90_000, actor=owner)
    db.session.commit()
    assert [(b.min_qty, b.unit_price_vnd) for b in editing.breaks_of(pack.id)] == [(10, 90_000)]
    (entry,) = _audit("price_break.create")
    assert entry.entity_id == str(price_break.id)
    assert entry.after == {"variant_id": pack.id, "min_qty": 10, "unit_price_vnd": 90_000}
    assert entry.note == pack.sku


def test_two_breaks_at_one_quantity_are_refused(pack, owner):
    with_breaks(pack, (10, 90_000))
    with pytest.raises(ConflictError) as refused:
        editing.add_break(pack, min_qty=10, unit_price_vnd=85_000, actor=owner)
    assert "already a volume price from 10 units" in str(refused.value.message)


def test_a_higher_quantity_may_not_cost_more_than_a_lower_one(pack, owner):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    with pytest.raises(ValidationError) as refused:
        editing.add_break(pack, min_qty=100, unit_price_vnd=85_000, actor=owner)
    assert str(refused.value.message) == (
        "From 100 units the price must not be above the 80.000 ₫ a partner pays from 50 units."
    )
    with pytest.raises(ValidationError) as refused:
        editing.add_break(pack, min_qty=5, unit_price_vnd=70_000, actor=owner)
    assert "must not be below the 90.000 ₫ a partner pays from 10 units" in str(refused.value.message)
    # In between, and equal to a neighbour, is fine.
    editing.add_break(pack, min_qty=20, unit_price_vnd=80_000, actor=owner)


def test_a_break_at_or_above_retail_is_refused(pack, owner):
    with pytest.raises(ValidationError):
        editing.add_break(pack, min_qty=10, unit_price_vnd=100_000, actor=owner)


def test_a_break_off_the_rules_is_refused(pack, owner):
    editing.set_partner_rules(pack, min_qty=6, max_qty=60, step=6, actor=owner)
    with pytest.raises(ValidationError) as refused:
        editing.add_break(pack, min_qty=10, unit_price_vnd=90_000, actor=owner)
    assert refused.value.field == "min_qty"


def test_a_producer_changes_and_removes_a_break_with_log_entries(pack, owner):
    price_break = editing.add_break(pack, min_qty=10, unit_price_vnd=90_000, actor=owner)
    assert editing.change_break(price_break, min_qty=12, unit_price_vnd=88_000, actor=owner)
    (changed,) = _audit("price_break.update")
    assert changed.before == {"min_qty": 10, "unit_price_vnd": 90_000}
    assert changed.after == {"min_qty": 12, "unit_price_vnd": 88_000}
    break_id = price_break.id
    editing.remove_break(price_break, actor=owner)
    db.session.commit()
    assert db.session.get(PriceBreak, break_id) is None
    (removed,) = _audit("price_break.delete")
    assert removed.before == {"variant_id": pack.id, "min_qty": 12, "unit_price_vnd": 88_000}


def test_the_producers_page_marks_breaks_retail_has_caught_up_with(xoi, pack):
    with_breaks(pack, (10, 90_000), (50, 80_000))
    pack.price_vnd = 85_000
    (row,) = editing.product_pricing(xoi)
    assert [(b.price_break.min_qty, b.applies) for b in row.breaks] == [(10, False), (50, True)]


# --- Negotiated prices ---------------------------------------------------------------------------


def test_an_admin_adds_a_negotiated_price_with_a_log_entry(pack, partner, admin):
    price = editing.add_partner_price(
        partner.id, pack.id, unit_price_vnd=75_000, valid_from=date(2026, 12, 1), valid_to=None, actor=admin
    )
    db.session.commit()
    assert price.created_by_user_id == admin.id
    (entry,) = _audit("partner_price.create")
    assert (entry.actor_role, entry.actor_email) == ("admin", admin.email)
    assert entry.after == {
        "partner_id": partner.id,
        "variant_id": pack.id,
        "unit_price_vnd": 75_000,
        "valid_from": "2026-12-01",
        "valid_to": None,
    }


def test_only_an_admin_negotiates_prices(pack, partner, owner):
    with pytest.raises(Forbidden):
        editing.add_partner_price(
            partner.id, pack.id, unit_price_vnd=75_000, valid_from=date(2026, 12, 1), valid_to=None, actor=owner
        )
    with pytest.raises(Forbidden):
        editing.add_partner_price(
            partner.id, pack.id, unit_price_vnd=75_000, valid_from=date(2026, 12, 1), valid_to=None, actor=None
        )


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        (date(2026, 12, 15), date(2027, 1, 15)),  # starts inside
        (date(2026, 11, 1), date(2026, 12, 1)),  # ends on its first day
        (date(2026, 12, 31), None),  # starts on its last day, open-ended
        (date(2026, 11, 1), None),  # covers it all
    ],
)
def test_overlapping_negotiated_prices_are_refused_naming_the_other(pack, partner, admin, valid_from, valid_to):
    negotiated(partner, pack, 70_000, date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ConflictError) as refused:
        editing.add_partner_price(
            partner.id, pack.id, unit_price_vnd=75_000, valid_from=valid_from, valid_to=valid_to, actor=admin
        )
    assert "70.000 ₫ valid from Dec 1, 2026 to Dec 31, 2026" in str(refused.value.message)


def test_adjacent_prices_and_other_partners_or_packs_do_not_overlap(xoi, pack, partner, admin):
    from tests.support.builders import make_product

    negotiated(partner, pack, 70_000, date(2026, 12, 1), date(2026, 12, 31))
    editing.add_partner_price(
        partner.id, pack.id, unit_price_vnd=72_000, valid_from=date(2027, 1, 1), valid_to=None, actor=admin
    )
    editing.add_partner_price(
        a_partner().id, pack.id, unit_price_vnd=72_000, valid_from=date(2026, 12, 1), valid_to=None, actor=admin
    )
    other_pack = make_product("Chè Sen", price=450_000).variants[0]
    editing.add_partner_price(
        partner.id, other_pack.id, unit_price_vnd=400_000, valid_from=date(2026, 12, 1), valid_to=None, actor=admin
    )


def test_an_open_ended_price_blocks_any_later_one(pack, partner, admin):
    negotiated(partner, pack, 70_000, date(2026, 12, 1))
    with pytest.raises(ConflictError) as refused:
        editing.add_partner_price(
            partner.id, pack.id, unit_price_vnd=72_000, valid_from=date(2027, 6, 1), valid_to=None, actor=admin
        )
    assert "from Dec 1, 2026, with no end" in str(refused.value.message)


@pytest.mark.parametrize(
    ("price", "valid_from", "valid_to", "field"),
    [
        (0, date(2026, 12, 1), None, "unit_price_vnd"),
        (75_000, date(2026, 12, 2), date(2026, 12, 1), "valid_to"),
        (75_000, None, None, "valid_from"),
    ],
)
def test_a_negotiated_price_needs_a_price_and_dates_in_order(pack, partner, admin, price, valid_from, valid_to, field):
    with pytest.raises(ValidationError) as refused:
        editing.add_partner_price(
            partner.id, pack.id, unit_price_vnd=price, valid_from=valid_from, valid_to=valid_to, actor=admin
        )
    assert refused.value.field == field


def test_a_negotiated_price_for_no_partner_is_not_found(pack, admin):
    with pytest.raises(NotFound):
        editing.add_partner_price(
            9999, pack.id, unit_price_vnd=75_000, valid_from=date(2026, 12, 1), valid_to=None, actor=admin
        )


def test_an_admin_ends_a_price_and_can_then_add_the_next(pack, partner, admin):
    price = negotiated(partner, pack, 70_000, date(2026, 11, 1))
    editing.end_partner_price(partner.id, price.id, last_day=date(2026, 12, 31), actor=admin)
    editing.add_partner_price(
        partner.id, pack.id, unit_price_vnd=72_000, valid_from=date(2027, 1, 1), valid_to=None, actor=admin
    )
    (entry,) = _audit("partner_price.end")
    assert (entry.before, entry.after) == ({"valid_to": None}, {"valid_to": "2026-12-31"})


def test_a_price_cannot_end_before_it_starts(pack, partner, admin):
    price = negotiated(partner, pack, 70_000, date(2026, 12, 10))
    with pytest.raises(ValidationError) as refused:
        editing.end_partner_price(partner.id, price.id, last_day=date(2026, 12, 9), actor=admin)
    assert refused.value.field == "last_day"


def test_a_price_is_ended_through_its_own_partner_only(pack, partner, admin):
    price = negotiated(partner, pack, 70_000, date(2026, 11, 1))
    with pytest.raises(NotFound):
        editing.end_partner_price(a_partner().id, price.id, last_day=date(2026, 12, 31), actor=admin)


def test_only_a_price_not_yet_started_is_removed(pack, partner, admin):
    current = negotiated(partner, pack, 70_000, date(2026, 11, 1), date(2026, 12, 31))
    future = negotiated(partner, pack, 72_000, date(2027, 1, 1))
    with pytest.raises(ConflictError):
        editing.remove_partner_price(partner.id, current.id, actor=admin)
    future_id = future.id
    editing.remove_partner_price(partner.id, future_id, actor=admin)
    db.session.commit()
    assert db.session.get(PartnerPrice, future_id) is None
    (entry,) = _audit("partner_price.delete")
    assert entry.before["unit_price_vnd"] == 72_000


def test_the_price_list_puts_current_then_future_then_past_beside_retail_and_breaks(pack, partner):
    with_breaks(pack, (10, 90_000))
    negotiated(partner, pack, 60_000, date(2026, 1, 1), date(2026, 6, 30))
    negotiated(partner, pack, 72_000, date(2027, 1, 1))
    negotiated(partner, pack, 70_000, date(2026, 7, 1), date(2026, 12, 31))
    rows = editing.partner_price_list(partner.id, date(2026, 11, 30))
    assert [(r.state, r.price.unit_price_vnd) for r in rows] == [
        ("current", 70_000),
        ("future", 72_000),
        ("past", 60_000),
    ]
    assert rows[0].retail_vnd == 100_000
    assert rows[0].volume_prices == [(10, 90_000)]


def test_packs_are_found_by_sku_or_name_without_accents(xoi, pack):
    assert editing.find_variants(pack.sku.lower()) == [pack]
    assert editing.find_variants("xoi phu") == [pack]
    assert editing.find_variants("Xôi") == [pack]
    assert editing.find_variants("nothing like it") == []
    assert editing.variant_for_sku(pack.sku.lower()) == pack
    with pytest.raises(ValidationError):
        editing.variant_for_sku("NO-SUCH-SKU")


# --- VAT rates ----------------------------------------------------------------------------------


def test_a_new_rate_ends_the_groups_open_rate_the_day_before(app, admin):
    rate = editing.add_vat_rate(
        group_code="thuc-pham",
        subgroup_code=None,
        rate_bp=900,
        valid_from=date(2028, 1, 1),
        basis="Luật sửa đổi (giả định)",
        actor=admin,
    )
    db.session.commit()
    before = db.session.scalar(
        select(VatRate).where(
            VatRate.group_code == "thuc-pham", VatRate.subgroup_code.is_(None), VatRate.rate_bp == 1000
        )
    )
    assert before.valid_to == date(2027, 12, 31)
    assert rate.valid_to is None
    assert vat_table(date(2027, 12, 31)).rate_bp("thuc-pham", "che-bien-tu-gao") == 1000
    assert vat_table(date(2028, 1, 1)).rate_bp("thuc-pham", "che-bien-tu-gao") == 900
    # The subgroup's own rate is a row of its own: fresh produce stays at 5%.
    assert vat_table(date(2028, 1, 1)).rate_bp("thuc-pham", "nong-san-tuoi") == 500
    (closed,) = _audit("vat_rate.close")
    assert (closed.before, closed.after) == ({"valid_to": None}, {"valid_to": "2027-12-31"})
    (created,) = _audit("vat_rate.create")
    assert created.after["rate_bp"] == 900
    assert created.actor_role == "admin"


def test_a_rate_overlapping_a_set_one_is_refused_naming_it(app, admin):
    with pytest.raises(ConflictError) as refused:
        editing.add_vat_rate(
            group_code="thuc-pham",
            subgroup_code=None,
            rate_bp=900,
            valid_from=date(2026, 12, 15),
            basis="Luật",
            actor=admin,
        )
    assert "8% valid from Jul 1, 2025 to Dec 31, 2026" in str(refused.value.message)
    db.session.rollback()
    with pytest.raises(ConflictError) as refused:
        editing.add_vat_rate(
            group_code="thuc-pham", subgroup_code=None, rate_bp=900, valid_from=date(2027, 1, 1), basis="x", actor=admin
        )
    assert "10% valid from Jan 1, 2027, with no end" in str(refused.value.message)


def test_a_subgroup_gets_its_own_first_rate(app, admin):
    editing.add_vat_rate(
        group_code="do-uong", subgroup_code="tra", rate_bp=500, valid_from=date(2027, 3, 1), basis="x", actor=admin
    )
    assert vat_table(date(2027, 3, 1)).rate_bp("do-uong", "tra") == 500
    assert vat_table(date(2027, 3, 1)).rate_bp("do-uong", "ruou") == 1000


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"group_code": "no-such-group"}, "group_code"),
        ({"subgroup_code": "tra"}, "subgroup_code"),  # a beverages subgroup under food
        ({"rate_bp": 10_001}, "rate"),
        ({"valid_from": date(2026, 11, 29)}, "valid_from"),  # yesterday
        ({"basis": "  "}, "basis"),
    ],
)
def test_a_rate_needs_a_group_a_rate_a_date_from_today_and_a_basis(app, admin, changes, field):
    values = {
        "group_code": "thuc-pham",
        "subgroup_code": None,
        "rate_bp": 900,
        "valid_from": date(2028, 1, 1),
        "basis": "Luật",
    }
    with pytest.raises(ValidationError) as refused:
        editing.add_vat_rate(**{**values, **changes}, actor=admin)
    assert refused.value.field == field


def test_only_an_admin_adds_a_rate(app, owner):
    with pytest.raises(Forbidden):
        editing.add_vat_rate(
            group_code="thuc-pham", subgroup_code=None, rate_bp=900, valid_from=date(2028, 1, 1), basis="x", actor=owner
        )


@pytest.mark.parametrize(
    ("typed", "bp"), [("8", 800), ("8%", 800), ("5.25", 525), ("5,5", 550), ("0", 0), ("100", 10_000)]
)
def test_a_rate_is_typed_as_a_percentage(typed, bp):
    assert editing.parse_rate(typed) == bp


@pytest.mark.parametrize("typed", ["", "abc", "8.555", "101", "-5"])
def test_a_rate_that_is_no_percentage_is_refused(typed):
    with pytest.raises(ValidationError):
        editing.parse_rate(typed)


@pytest.mark.parametrize(("typed", "number"), [("10", 10), (" 1.000 ", 1000), ("", None)])
def test_quantities_are_read_as_whole_numbers(typed, number):
    assert editing.parse_quantity(typed, field="min_qty") == number


@pytest.mark.parametrize("typed", ["0", "-3", "2.5x", "ten", "99999999999"])
def test_a_quantity_that_is_no_whole_number_is_refused(typed):
    with pytest.raises(ValidationError):
        editing.parse_quantity(typed, field="min_qty")


@pytest.mark.both_databases
def test_the_database_keeps_one_break_per_quantity_when_the_check_is_passed_at_once(backend, pack, owner):
    from unittest import mock

    with_breaks(pack, (10, 90_000))
    # As if another request added its break between this one's check and its write.
    with mock.patch.object(editing, "_check_ladder"), pytest.raises(ConflictError) as refused:
        editing.add_break(pack, min_qty=10, unit_price_vnd=85_000, actor=owner)
    assert refused.value.field == "min_qty"
    db.session.rollback()
    assert [(b.min_qty, b.unit_price_vnd) for b in editing.breaks_of(pack.id)] == [(10, 90_000)]
