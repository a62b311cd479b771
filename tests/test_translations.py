"""Vietnamese is complete: every user-facing string in the code and templates is translated."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]


def test_every_string_in_the_sources_has_a_vietnamese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as fh:
        wanted = {m.id for m in read_po(fh) if m.id}
    with (ROOT / "translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = {m.id: m for m in read_po(fh) if m.id}

    missing = sorted(str(i) for i in wanted - catalog.keys())
    assert not missing, f"not in the vi catalog (run `make extract-messages` and translate): {missing[:10]}"
    untranslated = sorted(
        str(i)
        for i in wanted
        if catalog[i].fuzzy
        or not (all(catalog[i].string) if isinstance(catalog[i].string, tuple) else catalog[i].string)
    )
    assert not untranslated, f"untranslated or fuzzy in vi: {untranslated[:10]}"


def test_translations_keep_their_placeholders():
    import re

    with (ROOT / "translations/vi/LC_MESSAGES/messages.po").open("rb") as fh:
        for message in read_po(fh):
            if not message.id:
                continue
            source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
            target = " ".join(message.string) if isinstance(message.string, tuple) else message.string
            assert set(re.findall(r"%\(\w+\)[sd]", source)) == set(re.findall(r"%\(\w+\)[sd]", target)), source
