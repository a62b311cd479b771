"""The pages the browser tests visited are valid HTML (Nu HTML checker, one java run).

conftest.py moves this test to the end of the run, after every page has been kept."""

import pytest

from tests.e2e.conftest import _report


def test_every_page_visited_is_valid_html(html_validator):
    errors = html_validator.check_pending()
    if errors:
        pytest.fail(_report(errors, html_validator), pytrace=False)
