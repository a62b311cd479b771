"""Vietnam's current two-tier administrative units (34 provinces, communes/wards), from
the `vietnam-provinces` package. Codes are stored as integers (Hà Nội = 1, Phường Tây Hồ = 103)."""

from __future__ import annotations

from functools import lru_cache

from vietnam_provinces import Province, ProvinceCode, Ward, WardCode

from shop.text import fold


@lru_cache(maxsize=1)
def provinces() -> tuple[tuple[int, str], ...]:
    """(code, name) of every province/city, sorted by name."""
    items = [(int(p.code), p.name) for p in Province.iter_all()]
    return tuple(sorted(items, key=lambda item: _sort_key(item[1])))


@lru_cache(maxsize=64)
def wards(province_code: int) -> tuple[tuple[int, str], ...]:
    """(code, name) of the communes/wards of one province, sorted by name; empty if unknown."""
    try:
        code = ProvinceCode(int(province_code))
    except (ValueError, TypeError):
        return ()
    items = [(int(w.code), w.name) for w in Ward.iter_by_province(code)]
    return tuple(sorted(items, key=lambda item: _sort_key(item[1])))


@lru_cache(maxsize=256)  # 34 provinces (bounded: codes come from URLs); facets and cards ask again and again
def province_name(code: int | None) -> str | None:
    try:
        return Province.from_code(ProvinceCode(int(code))).name
    except (ValueError, TypeError, KeyError):
        return None


@lru_cache(maxsize=4096)  # about 3,300 communes/wards
def ward_name(code: int | None) -> str | None:
    try:
        return Ward.from_code(WardCode(int(code))).name
    except (ValueError, TypeError, KeyError):
        return None


def ward_in_province(province_code: int | None, ward_code: int | None) -> bool:
    """True when ward_code is a commune/ward of province_code under the current units."""
    try:
        ward = Ward.from_code(WardCode(int(ward_code)))
    except (ValueError, TypeError, KeyError):
        return False
    try:
        return int(ward.province_code) == int(province_code)
    except (ValueError, TypeError):
        return False


def _sort_key(name: str) -> str:
    # Sort "Thành phố Hà Nội" under H, "Phường Tây Hồ" under T, as people look for them.
    for prefix in ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu "):
        if name.startswith(prefix):
            return fold(name[len(prefix) :])
    return fold(name)


class PlaceNames:
    """For models with province_code and ward_code columns: their names under the current units."""

    province_code: int
    ward_code: int

    @property
    def province_name(self) -> str | None:
        return province_name(self.province_code)

    @property
    def ward_name(self) -> str | None:
        return ward_name(self.ward_code)
