"""search: FTS5 prefix indexes for the word being typed

Revision ID: 0004_search_prefix
Revises: 0003_listing_index
Create Date: 2026-11-29 05:20:00

"""

from alembic import op

revision = "0004_search_prefix"
down_revision = "0003_listing_index"
branch_labels = None
depends_on = None


def _recreate(options):
    # The triggers that keep the index in step name the table, so they keep working.
    op.execute("DROP TABLE product_search")
    op.execute(
        "CREATE VIRTUAL TABLE product_search USING fts5("
        f"search_folded, content='products', content_rowid='id', tokenize='unicode61'{options})"
    )
    op.execute("INSERT INTO product_search(product_search) VALUES ('rebuild')")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate(", prefix='2 3 4'")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate("")
