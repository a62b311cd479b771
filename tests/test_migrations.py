"""The schema comes only from migrations, and the models agree with them."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from shop.extensions import db, include_name


# Every table a model declares (read when the tests run, so a new model is covered at once).
def model_tables() -> set[str]:
    return set(db.metadata.tables)


@pytest.mark.both_databases
def test_upgrade_from_empty_builds_the_whole_schema(app):
    # The fixture's database came from `upgrade()`; check what it holds.
    assert set(inspect(db.engine).get_table_names()) >= model_tables()
    assert {"users", "orders", "login_sessions"} <= model_tables()


@pytest.mark.both_databases
def test_models_match_the_migrations(app):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": include_name})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


@pytest.mark.both_databases
def test_downgrade_to_empty_and_upgrade_again(app):
    downgrade(revision="base")
    assert not model_tables() & set(inspect(db.engine).get_table_names())
    upgrade()
    assert set(inspect(db.engine).get_table_names()) >= model_tables()
