"""Text helpers for Vietnamese."""

from __future__ import annotations

import re
import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip diacritics and fold đ→d: "Xôi Phú Thượng" → "xoi phu thuong"."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped).lower()


def fold_email(text: str) -> str:
    """The one comparable form of an email address: NFKC, trimmed, case-folded
    ("ＡＤＭＩＮ@OCOP.example " → "admin@ocop.example"). lower() after casefold(): a few scripts
    (Cherokee) fold to capitals, and stored addresses must equal lower(email); NFKC again because
    folding can undo it."""
    folded = unicodedata.normalize("NFKC", text or "").strip().casefold()
    return unicodedata.normalize("NFKC", folded).lower()


def slugify(text: str, max_length: int = 80) -> str:
    """ "Xôi Phú Thượng 500g" → "xoi-phu-thuong-500g" (folded, ASCII, hyphens)."""
    slug = re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
    return slug[:max_length].rstrip("-") or "san-pham"


def clean_text(value, *, multiline: bool = False) -> str | None:
    """What a person typed into a form, made safe to keep: trimmed, NFC, without control
    characters (line breaks kept where `multiline`, tabs and stray breaks made spaces); None if empty."""
    if value is None:
        return None
    value = str(value).replace("\r\n", "\n")
    kept = []
    for ch in value:
        if ch == "\n" and multiline:
            kept.append(ch)
        elif ch in "\t\n\r":
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cc", "Cs"):
            kept.append(ch)
    text = unicodedata.normalize("NFC", "".join(kept)).strip()
    return text or None
