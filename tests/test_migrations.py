"""The schema comes only from migrations, and the models agree with them."""

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

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


def test_revisions_are_one_numbered_chain_without_gaps(app):
    """0001_…, 0002_…, … in order: one head, each revision revising the one before it, and the
    file names numbered as the chain runs (so a newcomer reads them in order)."""
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    assert len(script.get_heads()) == 1
    chain = list(reversed(list(script.walk_revisions())))
    previous = None
    for number, revision in enumerate(chain, start=1):
        assert revision.down_revision == previous, revision.revision
        assert revision.revision.startswith(f"{number:04d}_"), revision.revision
        assert Path(revision.path).name.startswith(f"{number:04d}_"), revision.path
        previous = revision.revision
    assert len(list(Path(chain[0].path).parent.glob("*.py"))) == len(chain)


@pytest.mark.both_databases
def test_a_database_migrated_before_the_renaming_still_upgrades(app):
    """A shop migrated under the old revision ids (e.g. '0006' for what is now 0005_orders)
    upgrades to head, running only what it lacks."""
    downgrade(revision="0005_orders")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    upgrade()
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head()
    assert set(inspect(db.engine).get_table_names()) >= model_tables()
    downgrade(revision="0008_login_sessions")
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0009'"))
    upgrade()  # the old head is today's 0008_login_sessions: only what came after it runs
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT version_num FROM alembic_version")) == _head()


def _head() -> str:
    script = ScriptDirectory.from_config(current_app.extensions["migrate"].migrate.get_config())
    return script.get_current_head()
