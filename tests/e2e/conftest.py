"""Browser tests: the shop under real gunicorn on a fresh SQLite file, driven by Debian's Chromium.

Every page a test looks at goes through `check_page(page, "name")`, which
  * runs axe-core on it and fails on any "serious" or "critical" violation, and
  * keeps the page's HTML for the Nu HTML checker, which checks every kept page in ONE java run
    (the test in test_html_validity.py, moved to the end of the run; whatever is kept after it
    ran, or when it was not selected, is checked when the session ends and fails the run too).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import weakref
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import time_machine
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import NOW
from tests.support import servers

HERE = Path(__file__).resolve().parent
ROOT = Path(__file__).resolve().parents[2]
DEFAULT_VNU_JAR = ROOT / ".cache/vnu/node_modules/vnu-jar/build/dist/vnu.jar"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_FAILING_IMPACTS = ("serious", "critical")
HTML_VALIDITY_TEST = "test_every_page_visited_is_valid_html"


def _in_e2e(item: pytest.Item) -> bool:
    return HERE in Path(item.path).resolve().parents


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: touch only the ones under tests/e2e.
    last = []
    for item in items:
        if _in_e2e(item):
            item.add_marker(pytest.mark.e2e)
            # One worker runs the browser tests, in this order (one server, one browser, and the
            # HTML check of every page they visited at the end).
            item.add_marker(pytest.mark.xdist_group("e2e"))
            if item.name == HTML_VALIDITY_TEST:
                last.append(item)
    for item in last:  # the HTML check runs after every page has been collected
        items.remove(item)
        items.append(item)


# --- The shop --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_sink_server):
    """The shop under gunicorn on a freshly migrated SQLite file with the demo catalog; mail goes
    to the SMTP sink."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    database_url = f"sqlite:///{instance / 'shop.db'}"
    # The shop runs on the tests' clock (NOW, then on), whatever the machine's date.
    traveller = time_machine.travel(NOW, tick=True)
    traveller.start()
    servers.migrate_database(database_url, instance)
    servers.seed_demo(database_url, instance)  # the demo catalog, as `make run` serves it
    shop = servers.start_shop(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "e2e-test-secret-key-not-for-production",
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": str(smtp_sink_server.port),
            # Whatever the caller's shell says, serve plain http on 127.0.0.1 from memory.
            "SERVER_NAME": "",
            "SESSION_COOKIE_SECURE": "",
            "REDIS_URL": "",
            "TRUSTED_PROXIES": "0",
            # A bank account for VietQR transfers (Stripe stays unset: not offered).
            "VIETQR_BANK_BIN": "970436",
            "VIETQR_BANK_NAME": "Vietcombank",
            "VIETQR_ACCOUNT_NUMBER": "0011004455667",
            "VIETQR_ACCOUNT_NAME": "CONG TY CHO OCOP",
            "STRIPE_SECRET_KEY": "",
        },
        instance=instance,
    )
    traveller.stop()
    shop.database_url = database_url  # for tests that look the demo's ids up (read only)
    yield shop
    shop.stop()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


# --- The browser -----------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: install Debian's Chromium (apt-get install -y chromium)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "vi-VN"}


_documents: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # page -> its document's response


def _remember_document(response) -> None:
    request = response.request
    if request.resource_type == "document" and request.frame.parent_frame is None:
        _documents[request.frame.page] = response


@pytest.fixture
def new_context(new_context):
    """pytest-playwright's contexts (`context`, `page` use this too), remembering each page's
    document as the server sent it, for the HTML checker."""

    def create(**kwargs):
        ctx = new_context(**kwargs)
        ctx.on("response", _remember_document)
        return ctx

    return create


def _served_html(page) -> str | None:
    """The current document as the server sent it, before the browser's parser repaired it."""
    response = _documents.get(page)
    # A redirect to "page#part" is fetched without its fragment.
    if response is None or response.url != page.url.split("#", 1)[0]:
        return None
    return response.text()


# --- Page checks: axe-core and the Nu HTML checker -------------------------------------------


class HtmlValidator:
    """Keeps pages as HTML files and checks them with the Nu HTML checker in one java run."""

    def __init__(self, jar: Path, directory: Path):
        self.jar = jar
        self.directory = directory
        self.pending: dict[Path, str] = {}  # file -> page name
        self.checked: dict[Path, str] = {}
        self._count = 0

    def keep(self, name: str, html: str) -> Path:
        self._count += 1
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "page"
        path = self.directory / f"{self._count:03d}-{slug}.html"
        path.write_text(html, encoding="utf-8")
        self.pending[path] = name
        return path

    def check_pending(self) -> list[str]:
        """Validate every kept page not yet checked; return one line per error."""
        files, self.pending = self.pending, {}
        if not files:
            return []
        self.checked.update(files)
        proc = subprocess.run(
            ["java", "-jar", str(self.jar), "--errors-only", "--format", "json", *map(str, files)],
            capture_output=True,
            text=True,
            timeout=300,
        )
        try:
            messages = json.loads(proc.stderr or proc.stdout or "{}").get("messages", [])
        except json.JSONDecodeError:
            return [f"the Nu HTML checker failed (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"]
        names = {path.resolve(): name for path, name in files.items()}
        errors = []
        for m in messages:
            if m.get("type") not in ("error", "non-document-error"):
                continue
            path = Path(unquote(urlsplit(m.get("url", "")).path)).resolve()
            where = f"{names.get(path, path.name)} ({path.name}:{m.get('lastLine', '?')})"
            extract = (m.get("extract") or "").strip().replace("\n", " ")
            errors.append(f"{where}: {m.get('message')}" + (f"\n      near: {extract}" if extract else ""))
        if proc.returncode != 0 and not errors:
            errors.append(f"the Nu HTML checker failed (exit {proc.returncode}):\n{proc.stderr}")
        return errors


def _report(errors: list[str], validator: HtmlValidator) -> str:
    return (
        f"The Nu HTML checker found {len(errors)} error(s) in the pages the browser tests visited "
        f"(files kept in {validator.directory}):\n  " + "\n  ".join(errors)
    )


@pytest.fixture(scope="session")
def html_validator(tmp_path_factory):
    jar = Path(os.environ.get("VNU_JAR") or DEFAULT_VNU_JAR)
    if not jar.is_file():
        pytest.fail(
            f"The Nu HTML checker is missing ({jar}). Run `make test`, which installs it "
            f"(or set VNU_JAR to a vnu.jar).",
            pytrace=False,
        )
    if shutil.which("java") is None:
        pytest.fail(
            "`java` is not on PATH: the Nu HTML checker needs Java 17 (apt-get install -y openjdk-17-jre-headless).",
            pytrace=False,
        )
    validator = HtmlValidator(jar, tmp_path_factory.mktemp("e2e-html"))
    yield validator
    # Pages kept after the final HTML test ran, or when it was not selected (-k, one file …).
    errors = validator.check_pending()
    if errors:
        pytest.fail(_report(errors, validator), pytrace=False)


@pytest.fixture(autouse=True)
def _html_checker_present(html_validator):
    """Fail every browser test at once, before a browser starts, when the checker is missing."""


def _axe_failures(violations: list[dict]) -> list[str]:
    lines = []
    for v in violations:
        if v.get("impact") not in AXE_FAILING_IMPACTS:
            continue
        targets = ", ".join(" ".join(map(str, node.get("target", []))) for node in v.get("nodes", []))
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v.get('helpUrl', '')})\n      nodes: {targets}")
    return lines


@pytest.fixture(scope="session")
def axe() -> Axe:
    return Axe()


@pytest.fixture
def check_page(axe, html_validator):
    """`check_page(page, "name")`: keep the page for the HTML checker, then fail on serious axe
    violations. Call it once the page shows what is to be checked (after an `expect`)."""

    def check(page, name: str) -> None:
        page.wait_for_load_state("load")
        # The DOM (with what scripts and the user changed) and the bytes the server sent, whose
        # parse errors (stray or unclosed tags, duplicate attributes …) the DOM no longer shows.
        html_validator.keep(name, page.content())
        served = _served_html(page)
        if served is None:
            pytest.fail(f"could not get {name} ({page.url}) as the server sent it", pytrace=False)
        html_validator.keep(f"{name}, as served", served)
        violations = axe.run(page).response["violations"]
        failures = _axe_failures(violations)
        if failures:
            pytest.fail(
                f"axe-core found {len(failures)} serious/critical violation(s) on {name} "
                f"({page.url}):\n  " + "\n  ".join(failures),
                pytrace=False,
            )

    return check
