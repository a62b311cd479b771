"""The "ceiling" app for the catalog benchmark: bare Flask + Jinja, no database, no extensions.

It renders a listing page shaped like the shop's /products (header with a search form, a filter
sidebar, 24 product cards with links built by url_for, a footer) from data made once at import.
What it costs per request is Flask routing, a Jinja render with template inheritance and macros,
and gunicorn; so its requests/s is roughly the best the shop's listing could reach on the same
machine, and bench/run.py reports the shop's pages as a ratio of it.

CEILING_TARGET_BYTES (set by bench/run.py to the size of the real /products page) pads the
footer with fine print so that both pages send about as many bytes.

Its templates are in bench/ceiling_templates/. Serve with: gunicorn --chdir bench ceiling:app
"""

from __future__ import annotations

import os

from flask import Flask, render_template

CARD_COUNT = 24

# Vietnamese names, producers and places like the real catalog's, so the page has the same mix
# of multi-byte characters.
_NAMES = [
    ("Xôi Phú Thượng", "HTX Dịch vụ Nông nghiệp Xôi Phú Thượng", "Phường Phú Thượng"),
    ("Chè Sen Quảng An", "HTX Chè Sen Quảng An", "Phường Tây Hồ"),
    ("Hoa đào Nhật Tân", "HTX Hoa đào Nhật Tân", "Phường Tây Hồ"),
    ("Mật ong hoa nhãn", "Cơ sở Bảo Phương 1", "Phường Tây Hồ"),
    ("Gốm Bát Tràng men lam", "Công ty TNHH Gốm Bát Tràng", "Xã Bát Tràng"),
    ("Nước mắm Phú Quốc", "HTX Nước mắm Phú Quốc", "Đặc khu Phú Quốc"),
]

# fmt: off
_PROVINCES = [
    "Hà Nội", "Hải Phòng", "Quảng Ninh", "Lào Cai", "Thái Nguyên", "Phú Thọ", "Bắc Ninh", "Hưng Yên",
    "Ninh Bình", "Thanh Hóa", "Nghệ An", "Hà Tĩnh", "Quảng Trị", "Huế", "Đà Nẵng", "Quảng Ngãi", "Gia Lai",
    "Đắk Lắk", "Khánh Hòa", "Lâm Đồng", "Đồng Nai", "Thành phố Hồ Chí Minh", "Tây Ninh", "Đồng Tháp",
    "Vĩnh Long", "An Giang", "Cần Thơ", "Cà Mau", "Cao Bằng", "Tuyên Quang", "Điện Biên", "Lai Châu",
    "Sơn La", "Lạng Sơn",
]
# fmt: on

PRODUCTS = [
    {
        "slug": f"san-pham-mau-{i:03d}",
        "name": f"{name} {i + 1}",
        "producer": producer,
        "origin": f"{ward}, Hà Nội",
        "stars": 3 + i % 3,
        "price": f"{(i + 1) * 25_000:,}".replace(",", ".") + " ₫",
        "in_stock": i % 5 != 0,
    }
    for i, (name, producer, ward) in ((i, _NAMES[i % len(_NAMES)]) for i in range(CARD_COUNT))
]

FACETS = {
    "stars": [(5, 120), (4, 3400), (3, 6480)],
    "groups": [(f"group-{i}", f"Nhóm sản phẩm {i}", 1000 + i) for i in range(1, 7)],
    "provinces": [(code, name, 300 - code) for code, name in enumerate(_PROVINCES, start=1)],
    "producers": [(f"nha-san-xuat-{i}", f"Cơ sở sản xuất số {i}", 50 - i) for i in range(1, 31)],
}

# A sentence repeated to reach CEILING_TARGET_BYTES; chosen at start-up (see _padding below).
_FINE_PRINT = "Sản phẩm đạt chứng nhận OCOP còn hiệu lực được hiển thị số sao. "

app = Flask(__name__, static_folder=None, template_folder="ceiling_templates")
# A static endpoint so url_for('static', …) works as in the shop; nothing is served from it.
app.add_url_rule("/static/<path:filename>", endpoint="static", view_func=lambda filename: ("", 404))


def _render(padding: str) -> str:
    return render_template("listing.html", products=PRODUCTS, facets=FACETS, total=10_000, pages=417, padding=padding)


@app.route("/ceiling")
def listing():
    return _render(app.config["PADDING"])


@app.route("/ceiling/<slug>")
def product(slug: str):
    return slug


def _padding(target_bytes: int) -> str:
    """Fine print that brings the rendered page to about target_bytes (none if already bigger)."""
    with app.test_request_context("/ceiling"):
        size = len(_render("").encode())
    missing = target_bytes - size
    if missing <= 0:
        return ""
    sentence = len(_FINE_PRINT.encode())
    return _FINE_PRINT * max(1, round(missing / sentence))


app.config["PADDING"] = _padding(int(os.environ.get("CEILING_TARGET_BYTES") or 0))
