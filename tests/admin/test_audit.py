"""The audit log: written by services, read by staff, never rewritten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from shop.audit import record, snapshot
from shop.audit.models import AuditEvent
from shop.extensions import db
from tests.factories import PASSWORD
from tests.portal.conftest import a_member
from tests.support.builders import a_producer, a_user, an_admin, make_product


def test_an_entry_keeps_only_what_changed(app):
    product = make_product("Xôi Phú Thượng", price=30_000)
    before = snapshot(product, ["name_vi", "status", "season_start_month"])
    product.name_vi = "Xôi vò Phú Thượng"
    entry = record(
        "product.update",
        "product",
        product.id,
        actor=a_user(email="chu@htx.vn"),
        producer_id=product.producer_id,
        before=before,
        after=snapshot(product, ["name_vi", "status", "season_start_month"]),
    )
    db.session.flush()
    assert entry.before == {"name_vi": "Xôi Phú Thượng"}
    assert entry.after == {"name_vi": "Xôi vò Phú Thượng"}
    assert entry.actor_email == "chu@htx.vn"


@pytest.mark.both_databases
def test_the_database_refuses_to_change_or_delete_an_entry(app, backend):
    record("producer.approve", "producer", 1, role="admin", after={"status": "active"})
    db.session.commit()
    for statement in (update(AuditEvent).values(action="producer.reject"), delete(AuditEvent)):
        with pytest.raises(DatabaseError):
            db.session.execute(statement)
        db.session.rollback()
    if backend == "postgresql":
        with pytest.raises(DatabaseError):
            db.session.execute(text("TRUNCATE audit_events"))
        db.session.rollback()
    assert db.session.query(AuditEvent).one().action == "producer.approve"


def test_staff_filter_the_log_by_producer_and_kind(client, login, clock):
    admin = an_admin()
    ours, theirs = a_producer(name="HTX Xôi Phú Thượng"), a_producer(name="HTX Chè Sen Quảng An")
    record(
        "stock.adjust", "stock", "SKU-1", actor=admin, producer_id=ours.id, before={"on_hand": 3}, after={"on_hand": 9}
    )
    record("product.update", "product", 7, actor=admin, producer_id=theirs.id, after={"status": "published"})
    db.session.commit()
    login(admin.email, PASSWORD)
    page = client.get(f"/admin/audit?producer={ours.id}").get_data(as_text=True)
    assert "stock.adjust" in page and "product.update" not in page
    assert "<td>3</td><td>9</td>" in page.replace("\n", "")
    page = client.get("/admin/audit?entity=product").get_data(as_text=True)
    assert "product.update" in page and "stock.adjust" not in page


def test_staff_filter_the_log_by_vietnamese_dates(client, login, clock):
    admin = an_admin()
    record("producer.suspend", "producer", 1, actor=admin, role="admin")
    clock.shift(timedelta(days=2))
    record("producer.reactivate", "producer", 1, actor=admin, role="admin")
    db.session.commit()
    login(admin.email, PASSWORD)
    page = client.get("/admin/audit?from=2026-11-30&to=2026-11-30").get_data(as_text=True)
    assert "producer.suspend" in page and "producer.reactivate" not in page


def test_only_staff_see_the_log(client, login):
    assert client.get("/admin/audit").status_code == 302
    member = a_member()
    db.session.commit()
    login(member.email, PASSWORD)
    assert client.get("/admin/audit").status_code == 403
