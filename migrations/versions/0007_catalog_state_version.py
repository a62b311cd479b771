"""catalog_state: a version that changes with the catalog, for values kept in memory

Revision ID: 0007_catalog_version
Revises: 0006_search_diacritics
Create Date: 2026-11-29 08:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007_catalog_version"
down_revision = "0006_search_diacritics"
branch_labels = None
depends_on = None

# What a change to these means for a search: a product's group, origin, producer, price, stars,
# status or publication date, or a producer closing. Any change to a product row counts (a
# spurious reload costs a fraction of a second; a missed one shows stale facets).
SQLITE_TRIGGERS = {
    "catalog_changed_product_insert": "AFTER INSERT ON products",
    "catalog_changed_product_update": "AFTER UPDATE ON products",
    "catalog_changed_product_delete": "AFTER DELETE ON products",
    "catalog_changed_producer_status": "AFTER UPDATE OF status ON producers",
}
PG_TRIGGERS = {
    "catalog_changed_products": "AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON products",
    "catalog_changed_producers": "AFTER UPDATE OF status ON producers",
}


def upgrade():
    op.create_table(
        "catalog_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_catalog_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_state")),
    )
    op.execute("INSERT INTO catalog_state (id, version) VALUES (1, 0)")
    if op.get_bind().dialect.name == "sqlite":
        for name, when in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} BEGIN UPDATE catalog_state SET version = random(); END")
    else:
        op.execute(
            "CREATE FUNCTION catalog_changed() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "UPDATE catalog_state SET version = floor(random() * 4e18)::bigint; RETURN NULL; END $$"
        )
        for name, when in PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} FOR EACH STATEMENT EXECUTE FUNCTION catalog_changed()")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        for name, when in PG_TRIGGERS.items():
            table = when.rsplit(" ", 1)[1]
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS catalog_changed()")
    op.drop_table("catalog_state")
