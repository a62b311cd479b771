"""Commission rates: the configured default, a producer's own rate set by an admin (validated,
audited), and the rounding rule."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from shop.audit.models import AuditEvent
from shop.config import ConfigError, from_environment
from shop.errors import ValidationError
from shop.extensions import db
from shop.settlements import services as settlements
from tests.support.builders import a_producer, an_admin


@pytest.fixture
def app_config(app_config):
    return {**app_config, "PRODUCER_COMMISSION_BP": 1250}


def test_a_producer_without_its_own_rate_pays_the_configured_default(app):
    producer = a_producer()
    assert settlements.default_rate() == 1250
    assert settlements.rate_for(producer) == 1250
    producer.commission_bp = 0
    assert settlements.rate_for(producer) == 0  # a rate of 0 is a rate, not "unset"


def test_setting_a_rate_writes_an_audit_entry_with_before_and_after(app):
    producer = a_producer()
    admin = an_admin(email="admin@example.vn")

    assert settlements.set_commission(producer, 800, admin) is True
    assert settlements.set_commission(producer, 800, admin) is False  # unchanged: no entry
    assert settlements.set_commission(producer, None, admin) is True  # back to the default
    db.session.commit()

    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "producer.commission")).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"commission_bp": None}, {"commission_bp": 800}),
        ({"commission_bp": 800}, {"commission_bp": None}),
    ]
    assert {(e.actor_email, e.actor_role, e.producer_id, e.entity_id) for e in entries} == {
        ("admin@example.vn", "admin", producer.id, str(producer.id))
    }
    assert producer.commission_bp is None


@pytest.mark.parametrize("bp", [-1, 10_001, 12.5, "1000", True])
def test_a_rate_out_of_range_or_not_whole_is_refused(app, bp):
    producer = a_producer(commission_bp=700)
    with pytest.raises(ValidationError) as caught:
        settlements.set_commission(producer, bp, an_admin())
    assert caught.value.field == "commission"
    assert producer.commission_bp == 700


@pytest.mark.parametrize(
    ("amount", "bp", "commission"),
    [
        (12_345, 1000, 1_235),  # 1,234.5 rounds half up
        (12_344, 1000, 1_234),
        (12_346, 1000, 1_235),
        (100_000, 1250, 12_500),
        (1, 5000, 1),  # 0.5 → 1
        (1, 4999, 0),
        (999_999_999, 10_000, 999_999_999),
        (50_000, 0, 0),
        (-10, 1000, 0),  # never below 0
    ],
)
def test_commission_is_rounded_half_up_to_a_whole_dong(amount, bp, commission):
    assert settlements.commission_vnd(amount, bp) == commission


def test_the_default_rate_comes_from_the_environment_and_must_be_in_range(monkeypatch, tmp_path):
    monkeypatch.setenv("PRODUCER_COMMISSION_BP", "1500")
    assert from_environment("testing", str(tmp_path))["PRODUCER_COMMISSION_BP"] == 1500
    monkeypatch.delenv("PRODUCER_COMMISSION_BP")
    assert from_environment("testing", str(tmp_path))["PRODUCER_COMMISSION_BP"] == 1000
    for bad in ("10001", "-5", "ten"):
        monkeypatch.setenv("PRODUCER_COMMISSION_BP", bad)
        with pytest.raises(ConfigError, match="PRODUCER_COMMISSION_BP"):
            from_environment("testing", str(tmp_path))
