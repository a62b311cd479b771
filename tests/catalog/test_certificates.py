"""Certificates: how long they last, who may issue them, and which stars a product shows."""

from datetime import date, timedelta

import pytest

from shop.catalog import certificates
from shop.errors import ValidationError
from tests.catalog.conftest import TODAY
from tests.support.builders import make_product


@pytest.mark.parametrize(
    ("decided", "valid_until"),
    [
        (date(2023, 3, 15), date(2026, 3, 15)),
        (date(2024, 2, 29), date(2027, 2, 28)),
        (date(2022, 1, 31), date(2025, 1, 31)),
    ],
)
def test_a_certificate_is_valid_36_months_from_its_decision(decided, valid_until):
    assert certificates.default_valid_until(decided) == valid_until


@pytest.mark.parametrize(
    ("stars", "decided", "issuer", "ok"),
    [
        (3, date(2024, 5, 1), "district", True),  # before July 2025 districts rated 3★
        (3, date(2025, 8, 1), "district", False),  # districts are gone
        (3, date(2025, 8, 1), "province", True),
        (4, date(2024, 5, 1), "province", True),
        (4, date(2024, 5, 1), "district", False),
        (5, date(2025, 8, 1), "central", True),
        (5, date(2025, 8, 1), "province", False),
    ],
)
def test_who_may_rate_depends_on_the_star_level_and_the_date(stars, decided, issuer, ok):
    args = dict(
        star_level=stars,
        score=None,
        decision_date=decided,
        valid_until=decided + timedelta(days=1000),
        issuer_level=issuer,
    )
    if ok:
        certificates.check_certificate(**args)
    else:
        with pytest.raises(ValidationError):
            certificates.check_certificate(**args)


@pytest.mark.parametrize(
    ("stars", "score", "ok"),
    [(3, 50, True), (3, 70, False), (4, 89, True), (5, 89, False), (5, 100, True), (2, 40, False)],
)
def test_the_score_must_fit_the_star_level(stars, score, ok):
    args = dict(
        star_level=stars,
        score=score,
        decision_date=date(2024, 1, 1),
        valid_until=date(2027, 1, 1),
        issuer_level={3: "district", 4: "province", 5: "central"}.get(stars, "province"),
    )
    if ok:
        certificates.check_certificate(**args)
    else:
        with pytest.raises(ValidationError):
            certificates.check_certificate(**args)


def test_only_four_star_products_carry_the_potential_five_star_label():
    with pytest.raises(ValidationError):
        certificates.check_certificate(
            star_level=3,
            score=None,
            decision_date=date(2024, 1, 1),
            valid_until=date(2027, 1, 1),
            issuer_level="district",
            potential_five_star=True,
        )


def test_stars_show_only_while_the_certificate_is_verified_and_unexpired(catalog):
    assert certificates.current_stars(catalog["xoi"], TODAY) == 4
    assert certificates.current_stars(catalog["expired"], TODAY) is None
    assert certificates.current_stars(catalog["pending"], TODAY) is None
    # The day after it lapses, a valid certificate stops counting, even before any job runs.
    xoi = catalog["xoi"]
    assert certificates.current_stars(xoi, xoi.star_valid_until) == 4
    assert certificates.current_stars(xoi, xoi.star_valid_until + timedelta(days=1)) is None


def test_a_lapsed_best_certificate_falls_back_to_another_valid_one(app):
    product = make_product("Trà sen", stars=3, decision_date=date(2025, 9, 1))
    certificates.add_certificate(
        product,
        star_level=4,
        decision_number="9/QĐ-UBND",
        decision_date=date(2023, 1, 10),
        issuing_body="UBND TP Hà Nội",
        issuer_level="province",
        verification_status="verified",
        today=date(2025, 10, 1),
    )
    assert product.star_level == 4
    later = date(2026, 2, 1)  # the 4★ lapsed on 10 Jan 2026; the 3★ runs until Sept 2028
    assert certificates.current_stars(product, later) is None
    assert certificates.refresh_ratings(later) == 1
    assert certificates.current_stars(product, later) == 3
