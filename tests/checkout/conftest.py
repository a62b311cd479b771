"""The checkout tests' shop: a bank account for VietQR and three products with stock (the builders
are in tests/support/builders.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.builders import stocked

EVENING = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # 18:00 in Hà Nội: after the same-day cut-off

BANK = {
    "VIETQR_BANK_BIN": "970436",
    "VIETQR_BANK_NAME": "Vietcombank",
    "VIETQR_ACCOUNT_NUMBER": "0011004455667",
    "VIETQR_ACCOUNT_NAME": "CONG TY CHO OCOP",
}


@pytest.fixture
def app_config(app_config):
    return {**app_config, **BANK}


@pytest.fixture
def products(app):
    return {
        "tea": stocked("Chè Sen Quảng An", price=450_000, on_hand=10, shelf_life_days=365),
        "rice": stocked("Gạo nếp cái hoa vàng", price=60_000, on_hand=5, shelf_life_days=180),
        "xoi": stocked("Xôi Phú Thượng", price=35_000, on_hand=20, shelf_life_days=1),
    }
