"""Service tests of producers: every test runs in the app (with its database), and has the
portal's fixtures (a producer, its owner and staff, another producer)."""

import pytest

from tests.portal.conftest import other_producer, owner, producer, staff  # noqa: F401


@pytest.fixture(autouse=True)
def _in_app(app):
    return app
