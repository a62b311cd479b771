"""The six OCOP product groups of Decision 148/QĐ-TTg (2023) and the subgroups the shop uses.

Codes are stable slugs (used in URLs: /products?group=thuc-pham); names are translated."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Subgroup:
    code: str
    name: object  # a lazy string


@dataclass(frozen=True)
class Group:
    code: str
    name: object
    name_vi: str  # kept untranslated for the search index, so Vietnamese words always match
    subgroups: tuple[Subgroup, ...]


GROUPS: tuple[Group, ...] = (
    Group(
        "thuc-pham",
        _l("Food"),
        "Thực phẩm",
        (
            Subgroup("nong-san-tuoi", _l("Fresh produce")),
            Subgroup("che-bien-tu-gao", _l("Processed from rice and grains")),
            Subgroup("che-bien-khac", _l("Other processed food")),
            Subgroup("gia-vi", _l("Spices and condiments")),
        ),
    ),
    Group(
        "do-uong",
        _l("Beverages"),
        "Đồ uống",
        (
            Subgroup("tra", _l("Tea and herbal tea")),
            Subgroup("ruou", _l("Wine and spirits")),
            Subgroup("do-uong-khac", _l("Other drinks")),
        ),
    ),
    Group(
        "duoc-lieu",
        _l("Herbs and herbal products"),
        "Dược liệu và sản phẩm từ dược liệu",
        (
            Subgroup("duoc-lieu-tho", _l("Herbs")),
            Subgroup("san-pham-tu-duoc-lieu", _l("Herbal products")),
        ),
    ),
    Group(
        "thu-cong-my-nghe",
        _l("Handicrafts"),
        "Thủ công mỹ nghệ",
        (
            Subgroup("det-may", _l("Textiles and embroidery")),
            Subgroup("may-tre-dan-go", _l("Bamboo, rattan and wood")),
            Subgroup("gom-su", _l("Pottery and ceramics")),
            Subgroup("thu-cong-khac", _l("Other crafts")),
        ),
    ),
    Group(
        "sinh-vat-canh",
        _l("Ornamental plants and animals"),
        "Sinh vật cảnh",
        (
            Subgroup("hoa", _l("Flowers")),
            Subgroup("cay-canh", _l("Ornamental plants")),
            Subgroup("dong-vat-canh", _l("Ornamental animals")),
        ),
    ),
    Group(
        "du-lich",
        _l("Community tourism and tourist sites"),
        "Dịch vụ du lịch cộng đồng và điểm du lịch",
        (
            Subgroup("du-lich-cong-dong", _l("Community tourism services")),
            Subgroup("diem-du-lich", _l("Tourist sites")),
        ),
    ),
)

GROUPS_BY_CODE = {g.code: g for g in GROUPS}
SUBGROUP_TO_GROUP = {s.code: g.code for g in GROUPS for s in g.subgroups}
SUBGROUPS_BY_CODE = {s.code: s for g in GROUPS for s in g.subgroups}
# The catalog's columns (columns.py) hold a group as its position in GROUPS.
GROUP_INDEX = {g.code: n for n, g in enumerate(GROUPS)}


def group_name(code: str) -> str:
    group = GROUPS_BY_CODE.get(code)
    return str(group.name) if group else code


def subgroup_name(code: str) -> str:
    sub = SUBGROUPS_BY_CODE.get(code)
    return str(sub.name) if sub else code


def subgroup_belongs(group_code: str, subgroup_code: str | None) -> bool:
    return subgroup_code is None or SUBGROUP_TO_GROUP.get(subgroup_code) == group_code
