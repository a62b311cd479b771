import re
import xml.etree.ElementTree as ET

import markupsafe
import pytest
import segno

from shop.payments.vietqr import crc_ok, parse, payload, qr_svg

SVG = "{http://www.w3.org/2000/svg}"

# Known-good payloads from another implementation, with the inputs that produced them:
# github.com/subiz/vietqr, vietqr_test.go (commit 0861e8ad) and README.md (commit 8da5679a).
# The README memo was transliterated from "ủng hộ lũ lụt" by that library; we take ASCII only.
KNOWN = [
    (
        dict(bank_bin="970422", account="0023457923442", amount_vnd=40123, memo="test text string"),
        "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA"
        "53037045405401235802VN62200816test text string6304D9C6",
    ),
    (
        dict(bank_bin="970415", account="0011001932418", amount_vnd=120000, memo="ung ho lu lut"),
        "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
        "530370454061200005802VN62170813ung ho lu lut6304C15C",
    ),
]

ORDER = dict(bank_bin="970436", account="1023456789", amount_vnd=1_943_000, memo="OCOP-2611-0042")


@pytest.mark.parametrize(("kwargs", "expected"), KNOWN)
def test_payload_matches_a_published_vietqr_string_exactly(kwargs, expected):
    assert payload(**kwargs) == expected


@pytest.mark.parametrize("expected", [expected for _, expected in KNOWN])
def test_crc_ok_accepts_the_published_strings(expected):
    assert crc_ok(expected)


def test_fields_land_in_their_tags():
    fields = parse(payload(**ORDER))
    assert list(fields) == ["00", "01", "38", "53", "54", "58", "62", "63"]
    assert fields["00"] == "01"
    assert fields["01"] == "12"
    assert fields["53"] == "704"
    assert fields["54"] == "1943000"
    assert fields["58"] == "VN"
    assert parse(fields["62"]) == {"08": "OCOP-2611-0042"}
    merchant = parse(fields["38"])
    assert merchant == {"00": "A000000727", "01": "00069704360110" + "1023456789", "02": "QRIBFTTA"}
    assert parse(merchant["01"]) == {"00": "970436", "01": "1023456789"}


def test_memo_is_stripped():
    assert parse(parse(payload(**{**ORDER, "memo": "  OCOP-2611-0042\n"}))["62"]) == {"08": "OCOP-2611-0042"}


@pytest.mark.parametrize(
    "kwargs",
    [
        ORDER,
        {**ORDER, "amount_vnd": 1},
        {**ORDER, "amount_vnd": 9_999_999_999_999, "account": "A" * 19, "memo": "x" * 25},
    ],
)
def test_generated_crc_verifies_and_is_upper_case_hex(kwargs):
    text = payload(**kwargs)
    assert crc_ok(text)
    assert re.fullmatch(r"[0-9A-F]{4}", text[-4:])
    assert text[-8:-4] == "6304"


def test_any_changed_character_breaks_the_crc():
    text = payload(**ORDER)
    for i, char in enumerate(text[:-4]):
        changed = text[:i] + ("1" if char != "1" else "2") + text[i + 1 :]
        assert not crc_ok(changed), f"change at {i} not detected"
    assert not crc_ok(text[:-1] + ("0" if text[-1] != "0" else "1"))


@pytest.mark.parametrize("text", ["", "6304", "abcd6304ZZZZ", "00020101" + "6305ABCD", 12345])
def test_crc_ok_rejects_text_without_a_crc_field(text):
    assert crc_ok(text) is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bank_bin": "97042"}, "BIN"),
        ({"bank_bin": "9704221"}, "BIN"),
        ({"bank_bin": "97042A"}, "BIN"),
        ({"bank_bin": "９７０４２２"}, "BIN"),  # full-width digits pass str.isdigit()
        ({"bank_bin": 970422}, "BIN"),
        ({"account": ""}, "account"),
        ({"account": "1" * 20}, "account"),
        ({"account": "1023-456789"}, "account"),
        ({"account": "1023 456789"}, "account"),
        ({"amount_vnd": 0}, "amount"),
        ({"amount_vnd": -5000}, "amount"),
        ({"amount_vnd": 10**13}, "amount"),
        ({"amount_vnd": 125000.0}, "amount"),
        ({"amount_vnd": "125000"}, "amount"),
        ({"amount_vnd": True}, "amount"),
        ({"memo": ""}, "memo"),
        ({"memo": "   "}, "memo"),
        ({"memo": "x" * 26}, "memo"),
        ({"memo": "Đơn hàng 42"}, "memo"),
        ({"memo": "OCOP\t42"}, "memo"),
        ({"memo": None}, "memo"),
    ],
)
def test_invalid_input_is_refused(change, message):
    with pytest.raises(ValueError, match=message):
        payload(**{**ORDER, **change})


@pytest.mark.parametrize("text", ["0002", "000201012", "0002010x12", "00020100020"])
def test_parse_refuses_malformed_tlv(text):
    with pytest.raises(ValueError):
        parse(text)


def test_a_value_over_99_characters_is_refused():
    from shop.payments.vietqr import _field

    assert _field("08", "x" * 99) == "0899" + "x" * 99
    with pytest.raises(ValueError, match="99"):
        _field("08", "x" * 100)


# --- the SVG ---------------------------------------------------------------------------------
# No QR decoder (zbar) is installed, so instead of scanning the SVG we read its modules back
# and check them against the symbol segno builds for the payload, then check the format
# information inside that grid ourselves.


def _modules(svg: str) -> tuple[int, list[list[int]]]:
    root = ET.fromstring(svg)
    x0, y0, width, height = (int(v) for v in root.get("viewBox").split())
    assert (x0, y0) == (0, 0) and width == height
    grid = [[0] * width for _ in range(height)]
    (path,) = root.iter(f"{SVG}path")
    x = y = 0.0
    for op, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d")):
        if op == "M":
            x, y = float(a), float(b)
        elif op == "m":
            x, y = x + float(a), y + float(b)
        else:
            for col in range(int(x), int(x + float(a))):
                grid[int(y)][col] = 1
            x += float(a)
    return width, grid


def _error_level(grid: list[list[int]], border: int) -> str:
    # The 15 format bits beside the top-left finder (ISO/IEC 18004 §7.9), masked with 0x5412;
    # the top two data bits name the error correction level.
    def bit(row, col):
        return grid[border + row][border + col]

    cells = [(8, c) for c in range(6)] + [(8, 7), (8, 8), (7, 8)] + [(r, 8) for r in range(5, -1, -1)]
    word = 0
    for row, col in cells:
        word = (word << 1) | bit(row, col)
    return {0b01: "L", 0b00: "M", 0b11: "Q", 0b10: "H"}[((word ^ 0x5412) >> 13) & 0b11]


def test_svg_is_accessible_markup_that_scales_with_css():
    svg = qr_svg(payload(**ORDER), title="VietQR for order OCOP-2611-0042")
    assert isinstance(svg, markupsafe.Markup)
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == "VietQR for order OCOP-2611-0042"
    assert root.find(f"{SVG}title").text == "VietQR for order OCOP-2611-0042"
    assert root.get("class") == "qr"
    assert root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    assert not str(svg).startswith("<?xml")


def test_svg_title_is_escaped():
    svg = qr_svg("hello", title='Order "<b>&"')
    root = ET.fromstring(str(svg))  # would raise if < or & got through raw
    assert root.get("aria-label") == 'Order "<b>&"'
    assert root.find(f"{SVG}title").text == 'Order "<b>&"'
    assert "<b>" not in str(svg)


def test_svg_title_is_required():
    with pytest.raises(ValueError):
        qr_svg("hello", title="  ")


def test_svg_draws_the_qr_symbol_for_the_payload_with_a_quiet_zone():
    data = payload(**ORDER)
    width, grid = _modules(str(qr_svg(data, title="VietQR")))

    reference = segno.make(data, error="m", boost_error=False)
    assert reference.designator.endswith("-M")
    # About 115 ASCII characters in byte mode needs version 7 at level M (capacity 122).
    assert 5 <= reference.version <= 8
    assert width == 17 + 4 * reference.version + 2 * 4
    expected = [[int(bool(m)) for m in row] for row in reference.matrix_iter(border=4)]
    assert grid == expected

    # Independently of segno: quiet zone is blank, finder patterns sit in three corners,
    # and the symbol itself says level M.
    size = width - 8
    assert not any(grid[r][c] for r in range(width) for c in range(width) if min(r, c) < 4 or max(r, c) >= 4 + size)
    finder = [[1] * 7, [1, 0, 0, 0, 0, 0, 1]] + [[1, 0, 1, 1, 1, 0, 1]] * 3 + [[1, 0, 0, 0, 0, 0, 1], [1] * 7]
    for top, left in [(4, 4), (4, 4 + size - 7), (4 + size - 7, 4)]:
        assert [row[left : left + 7] for row in grid[top : top + 7]] == finder
    assert _error_level(grid, 4) == "M"


def test_different_payloads_draw_different_symbols():
    first = _modules(str(qr_svg(payload(**ORDER), title="VietQR")))
    second = _modules(str(qr_svg(payload(**{**ORDER, "amount_vnd": 1_943_001}), title="VietQR")))
    assert first != second
