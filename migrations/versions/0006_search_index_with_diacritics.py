"""search: the FTS5 index also holds the text with its diacritics, for ranking

Revision ID: 0006_search_diacritics
Revises: 0005_orders
Create Date: 2026-11-29 08:00:00

"""

from alembic import op

revision = "0006_search_diacritics"
down_revision = "0005_orders"
branch_labels = None
depends_on = None

# Exact matches rank first (the phrase as typed, then each word). With the text as written in
# the same index, "which matches also contain 'trà'" is one intersection of two posting lists
# per search, where comparing each match's text cost a scan per match. The folded column holds
# no diacritics (the app folds it), so keeping them costs it nothing.
COLUMNS = ("search_folded", "search_exact")


def _triggers(columns):
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    insert = f"INSERT INTO product_search(rowid, {names}) VALUES (new.id, {new});"
    delete = f"INSERT INTO product_search(product_search, rowid, {names}) VALUES ('delete', old.id, {old});"
    return {
        "products_search_ai": f"AFTER INSERT ON products BEGIN {insert} END",
        "products_search_ad": f"AFTER DELETE ON products BEGIN {delete} END",
        "products_search_au": f"AFTER UPDATE OF {names} ON products BEGIN {delete} {insert} END",
    }


def _recreate(columns, tokenize):
    for name in _triggers(columns):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE product_search")
    op.execute(
        f"CREATE VIRTUAL TABLE product_search USING fts5({', '.join(columns)}, "
        f"content='products', content_rowid='id', tokenize='{tokenize}', prefix='2 3 4')"
    )
    op.execute("INSERT INTO product_search(product_search) VALUES ('rebuild')")
    for name, body in _triggers(columns).items():
        op.execute(f"CREATE TRIGGER {name} {body}")


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate(COLUMNS, "unicode61 remove_diacritics 0")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        _recreate(COLUMNS[:1], "unicode61")
