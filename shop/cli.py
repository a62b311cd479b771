"""`flask shop …` commands for operators."""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup
from sqlalchemy import text

from shop.errors import ShopError
from shop.extensions import db

shop_cli = AppGroup("shop", help="OCOP shop commands.")


@shop_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Admin", show_default=True, help="Display name for a new account.")
def create_admin(email: str, name: str) -> None:
    """Make EMAIL an admin with a new password, creating the account if needed.

    The password is read from SHOP_ADMIN_PASSWORD if set (for scripts), otherwise asked for, also
    for an existing account: an admin's password must be one that only the operator knows (not,
    say, the demo's published one). Every other session of the account ends.
    """
    from shop.admin.services import make_admin

    password = os.environ.get("SHOP_ADMIN_PASSWORD")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user, created = make_admin(email=email, name=name, password=password)
    except ShopError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from None
    db.session.commit()
    click.echo(f"{'Created' if created else 'Updated'} admin {user.email}")


@shop_cli.command("seed-demo")
@click.option(
    "--products",
    "synthetic",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    metavar="N",
    help="Also add N synthetic published products for benchmarks.",
)
def seed_demo(synthetic: int) -> None:
    """Load the demo accounts, organisations and catalog (safe to run again: it changes nothing then).

    Refused with SHOP_ENV=production: the demo accounts share a published password.

    With --products N it also adds N generated products ("demo-synth-000001", …) with variants,
    images and certificates, spread over groups, provinces, producers and star levels, by bulk
    inserts. Unlike the demo itself this is not idempotent: every run adds N more, numbering on
    from the last synthetic product.
    """
    from shop.demo import DemoRefused, add_synthetic_products, seed

    try:
        counts = seed()
    except DemoRefused as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo("Demo data: " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    if synthetic:
        with click.progressbar(length=synthetic, label="Synthetic products") as bar:
            add_synthetic_products(synthetic, progress=bar.update)
        db.session.commit()
        click.echo(f"Added {synthetic} synthetic products")
    if synthetic or any(counts.values()):
        # Fresh statistics after a bulk load, so the query planner picks the listing index.
        db.session.execute(text("ANALYZE"))
        db.session.commit()


@shop_cli.command("send-pending-mail")
@click.option("--max-attempts", type=int, default=None, help="Skip messages tried this many times.")
def send_pending_mail(max_attempts: int | None) -> None:
    """Retry mail that could not be sent (e.g. while the SMTP server was down)."""
    from shop.mail.services import deliver_pending

    sent, failed = deliver_pending(max_attempts=max_attempts)
    click.echo(f"Sent {sent}, still pending {failed}")
    if failed:
        raise SystemExit(1)


@shop_cli.command("refresh-ratings")
def refresh_ratings() -> None:
    """Let products whose best certificate lapsed fall back to another valid one (run daily)."""
    from shop import clock
    from shop.catalog.certificates import refresh_ratings as refresh

    count = refresh(clock.today())
    db.session.commit()
    click.echo(f"Re-rated {count} products")


@shop_cli.command("certificate-reminders")
def certificate_reminders() -> None:
    """Mail producers' owners 60 and 14 days before a verified certificate lapses (run daily;
    each reminder goes once, so running it again sends nothing twice)."""
    from shop.catalog.certificate_review import send_certificate_reminders

    # The mail goes out after this commit, at the end of the command.
    count = send_certificate_reminders()
    db.session.commit()
    click.echo(f"Reminded of {count} certificates")


@shop_cli.command("expire-orders")
def expire_orders() -> None:
    """Cancel unpaid orders past their time and give their stock back (run every few minutes)."""
    from shop.orders.services import expire_due_orders

    # The cancellation mail goes out after this commit, at the end of the command.
    expired = expire_due_orders()
    db.session.commit()
    click.echo(f"Expired {len(expired)} unpaid orders")


@shop_cli.command("run-standing-orders")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Order the delivery dates from tomorrow to this many days ahead (default STANDING_ORDER_DAYS_AHEAD).",
)
def run_standing_orders(days: int | None) -> None:
    """Create the orders of the partners' standing orders for the next days (run hourly; each
    standing order and date is ordered once, however often or in however many processes it
    runs). Exits 1 when some dates failed."""
    from shop.wholesale.standing import run_standing_orders as run

    # Each date commits on its own; its mail goes out at the end of the command.
    summary = run(days_ahead=days)
    click.echo(summary.line())
    if summary.outcomes.get("failed"):
        raise SystemExit(1)


@shop_cli.command("stock")
@click.argument("sku")
@click.option("--set", "on_hand", type=int, required=True, help="The stock on hand after a count.")
@click.option("--note", default="set from the command line", help="Why, for the stock ledger.")
def stock(sku: str, on_hand: int, note: str) -> None:
    """Set the stock on hand of the variant with this SKU (written to the stock ledger)."""
    from shop.inventory.services import set_stock

    try:
        variant, change = set_stock(sku, on_hand, note=note)
    except ShopError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"{sku}: on hand {variant.on_hand} ({change:+d}), held by orders {variant.reserved}")


@shop_cli.command("retry-refunds")
def retry_refunds() -> None:
    """Send again the card refunds that did not go through (run every few minutes, like
    expire-orders): whole orders, and the parts of orders whose producer cancelled its shipment.
    Each is asked of its provider (Stripe) with its one idempotency key, so none is ever paid
    twice. Exits 1 while some remain due."""
    from shop.fulfilment.models import Shipment
    from shop.fulfilment.services import shipment_refunds_due
    from shop.orders.models import Order
    from shop.payments.refunds import settle_due_refund
    from shop.payments.services import provider_refunds_due
    from shop.payments.shipment_refunds import provider_sends, settle_shipment_refund

    due = [order.id for order in provider_refunds_due()]
    shipments_due = [s.id for s in shipment_refunds_due() if provider_sends(s)]
    db.session.rollback()
    sent = still_due = 0
    for order_id in due:
        order = db.session.get(Order, order_id)
        if settle_due_refund(order):
            sent += 1
        elif order.refund_due:  # not settled meanwhile by a webhook or staff
            still_due += 1
    for shipment_id in shipments_due:
        shipment = db.session.get(Shipment, shipment_id)
        if settle_shipment_refund(shipment):
            sent += 1
        elif shipment.refund_status == "due":
            still_due += 1
    click.echo(f"Refunded {sent}, still due {still_due}")
    if still_due:
        raise SystemExit(1)


@shop_cli.command("send-webhooks")
@click.option("--loop", is_flag=True, help="Keep sending as a worker, until stopped (SIGTERM or Ctrl-C).")
@click.option(
    "--interval",
    type=click.FloatRange(min=0.1),
    default=5.0,
    show_default=True,
    help="With --loop: seconds to wait when nothing is due.",
)
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True, help="Deliveries per round.")
def send_webhooks(loop: bool, interval: float, limit: int) -> None:
    """Send the webhook deliveries that are due (new events, retries, replays). Each delivery is
    claimed before it is sent, so several workers may run at once. Without --loop it sends one
    round (run it every minute from cron); with --loop it keeps going, and stops cleanly on
    SIGTERM or Ctrl-C after the delivery it is sending."""
    import signal
    import time

    from shop.integrations.sending import send_due

    if not loop:
        delivered, failed = send_due(limit=limit)
        click.echo(f"Delivered {delivered}, failed tries {failed}")
        return
    stopping: list[int] = []
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stopping.append(signum))
    click.echo(f"Sending webhooks every {interval:g} s until stopped")
    try:
        while not stopping:
            delivered, failed = send_due(limit=limit, stop=lambda: bool(stopping))
            if delivered or failed:
                click.echo(f"Delivered {delivered}, failed tries {failed}")
            if delivered + failed < limit and not stopping:
                # Nothing more due now (a full round goes on at once). A relative sleep, not a
                # timed wait on a lock: it ends on time whatever the wall clock does.
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        db.session.rollback()
    click.echo("Stopped")


@shop_cli.command("invoices-overdue")
def invoices_overdue() -> None:
    """Record `invoice.overdue` for each invoice past its due date and not paid, once per invoice,
    for partners whose webhook endpoints listen (run daily; `send-webhooks` sends them)."""
    from shop.integrations.webhooks import record_overdue_invoices

    count = record_overdue_invoices()
    db.session.commit()
    click.echo(f"Recorded {count} overdue invoices")
