import pytest

from shop.errors import ValidationError
from shop.organisations import check_organisation

GOOD = {"name": "HTX Xôi Phú Thượng", "tax_code": "0109000001", "province_code": 1, "ward_code": 91, "status": "active"}


def test_a_valid_organisation_passes():
    check_organisation(**GOOD)
    check_organisation(**{**GOOD, "tax_code": "0109000001-001"})  # a branch


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tax_code": "123"}, "tax_code"),
        ({"tax_code": "0109000001-1"}, "tax_code"),
        ({"tax_code": "01090000AB"}, "tax_code"),
        ({"province_code": 999}, "province_code"),
        ({"ward_code": 26506}, "ward_code"),  # Phường Vũng Tàu is in Hồ Chí Minh City, not Hà Nội
        ({"name": "  "}, "name"),
        ({"status": "deleted"}, "status"),
    ],
)
def test_invalid_organisations_are_refused_naming_the_field(change, field):
    with pytest.raises(ValidationError) as exc:
        check_organisation(**{**GOOD, **change})
    assert exc.value.field == field
