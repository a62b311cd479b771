"""VietQR: the bank-transfer QR code every Vietnamese banking app can scan.

VietQR is NAPAS's profile of the EMVCo merchant-presented QR format. The QR code holds a
string of TLV fields (two-digit ID, two-digit length, value) naming the receiving bank (its
NAPAS BIN), the account, the amount in VND and a transfer memo, and ends with a CRC-16 so a
banking app can reject a misread code. The shopper's app pre-fills the transfer from it; the
memo carries the order number so the payment can be matched to the order.

We build the string ourselves: it is a few lines, and the packages seen for it either fail on
Vietnamese text or fetch bank lists over the network.
"""

from __future__ import annotations

import binascii
import io
import re

import markupsafe
import segno

# NAPAS's application identifier and its service code for a transfer to an account
# ("QRIBFTTC" would be a transfer to a card number, which we never take).
_NAPAS_GUID = "A000000727"
_SERVICE_TO_ACCOUNT = "QRIBFTTA"
_CURRENCY_VND = "704"  # ISO 4217 numeric
_CRC_TAG = "6304"  # ID 63, length 04: the CRC covers these four characters too

# re.ASCII so that non-ASCII digits ("٣", "３") which str.isdigit() accepts are refused.
_BIN_RE = re.compile(r"[0-9]{6}", re.ASCII)
_ACCOUNT_RE = re.compile(r"[0-9A-Za-z]{1,19}", re.ASCII)
_MEMO_RE = re.compile(r"[\x20-\x7e]{1,25}")
_MAX_AMOUNT = 10**13 - 1  # the amount field holds at most 13 characters


def _field(tag: str, value: str) -> str:
    if len(value) > 99:
        # The length is two digits; a longer value would silently corrupt every field after it.
        raise ValueError(f"VietQR field {tag} is {len(value)} characters; at most 99 fit")
    return f"{tag}{len(value):02d}{value}"


def _crc(data: str) -> str:
    # CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) over the ASCII text, as EMVCo specifies.
    return f"{binascii.crc_hqx(data.encode('ascii'), 0xFFFF):04X}"


def payload(*, bank_bin: str, account: str, amount_vnd: int, memo: str) -> str:
    """Return the VietQR string asking for `amount_vnd` đồng to `account` at bank `bank_bin`.

    `memo` is what the shopper's bank shows as the transfer description; pass the order
    number (e.g. `OCOP-2611-0042`). It must be printable ASCII, 1–25 characters: banks mangle
    or drop diacritics differently, and a memo we cannot match back to the order is worse
    than an error here. Raises ValueError for any input NAPAS would not accept.
    """
    if not isinstance(bank_bin, str) or not _BIN_RE.fullmatch(bank_bin):
        raise ValueError(f"bank BIN must be exactly 6 digits, got {bank_bin!r}")
    if not isinstance(account, str) or not _ACCOUNT_RE.fullmatch(account):
        raise ValueError(f"account number must be 1–19 letters or digits, got {account!r}")
    # bool is an int subclass; True would otherwise become a 1 đồng request.
    if isinstance(amount_vnd, bool) or not isinstance(amount_vnd, int):
        raise ValueError(f"amount must be an integer number of đồng, got {type(amount_vnd).__name__}")
    if not 0 < amount_vnd <= _MAX_AMOUNT:
        raise ValueError(f"amount must be between 1 and {_MAX_AMOUNT} đồng, got {amount_vnd}")
    if not isinstance(memo, str):
        raise ValueError(f"memo must be a string, got {type(memo).__name__}")
    memo = memo.strip()
    if not _MEMO_RE.fullmatch(memo):
        raise ValueError(f"memo must be 1–25 printable ASCII characters (e.g. the order number), got {memo!r}")

    merchant = (
        _field("00", _NAPAS_GUID)
        + _field("01", _field("00", bank_bin) + _field("01", account))
        + _field("02", _SERVICE_TO_ACCOUNT)
    )
    body = (
        _field("00", "01")  # payload format indicator, always 01
        + _field("01", "12")  # 12 = dynamic: one payment with a fixed amount, not a reusable code
        + _field("38", merchant)
        + _field("53", _CURRENCY_VND)
        + _field("54", str(amount_vnd))
        + _field("58", "VN")
        + _field("62", _field("08", memo))  # 08 = purpose of transaction, shown as the memo
        + _CRC_TAG
    )
    return body + _crc(body)


def parse(payload: str) -> dict[str, str]:
    """Split one level of TLV fields into {ID: value}.

    Works on the whole payload and on a template's value (e.g. `parse(fields["38"])`).
    Raises ValueError if the text is not a well-formed run of fields.
    """
    fields: dict[str, str] = {}
    pos = 0
    while pos < len(payload):
        header = payload[pos : pos + 4]
        if len(header) < 4 or not header.isascii() or not header.isdigit():
            raise ValueError(f"malformed TLV header {header!r} at position {pos}")
        tag, length = header[:2], int(header[2:])
        value = payload[pos + 4 : pos + 4 + length]
        if len(value) != length:
            raise ValueError(f"field {tag} at position {pos} says {length} characters but only {len(value)} remain")
        if tag in fields:
            raise ValueError(f"field {tag} appears twice")
        fields[tag] = value
        pos += 4 + length
    return fields


def crc_ok(payload: str) -> bool:
    """True if `payload` ends with a `6304` CRC field that matches the text before it."""
    if not isinstance(payload, str) or len(payload) < 8 or payload[-8:-4] != _CRC_TAG or not payload.isascii():
        return False
    # Compare as numbers: EMVCo asks for upper-case hex but some generators emit lower case.
    try:
        given = int(payload[-4:], 16)
    except ValueError:
        return False
    return given == int(_crc(payload[:-4]), 16)


def qr_svg(data: str, *, title: str) -> markupsafe.Markup:
    """Return `data` as an inline SVG QR code, safe to output unescaped in a template.

    The SVG has a viewBox and no width/height, so CSS sizes it (`svg.qr { width: 16rem }`);
    one SVG unit is one module. `title` is its accessible name (e.g. "VietQR code for order
    OCOP-2611-0042"), given both as a <title> and as aria-label for screen readers that only
    read one of them.
    """
    if not title.strip():
        raise ValueError("a QR code needs a title: screen readers announce it instead of the image")
    # Level M survives a smudged or partly glared screen; boost_error=False keeps it exactly M
    # so the symbol is the same on every run and for every test.
    qr = segno.make(data, error="m", boost_error=False)
    out = io.BytesIO()
    qr.save(
        out,
        kind="svg",
        border=4,  # the quiet zone scanners need, which the page background may not provide
        xmldecl=False,
        svgns=True,
        nl=False,
        title=title,  # segno escapes it
        svgclass="qr",
        lineclass=None,
        omitsize=True,
        encoding="utf-8",
    )
    svg = out.getvalue().decode("utf-8")
    label = markupsafe.escape(title)
    # segno has no option for these; without role="img" some screen readers walk into the path.
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1)
    return markupsafe.Markup(svg)  # noqa: S704 - built from segno's output and an escaped title
