import pytest
from flask_babel import force_locale
from stdnum.vn import mst

from shop.errors import ValidationError
from shop.organisations import (
    MAX_REASON,
    check_organisation,
    check_reason,
    membership_in_use,
    normalize_tax_code,
    pending_application,
)

# 0100109106 is a real, valid mã số thuế (its 10th digit checks the first nine).
GOOD = {"name": "HTX Xôi Phú Thượng", "tax_code": "0100109106", "province_code": 1, "ward_code": 91, "status": "active"}


def in_english(message) -> str:
    with force_locale("en"):
        return str(message)


def test_a_valid_organisation_passes_and_gives_the_tax_code_in_the_shops_form():
    assert check_organisation(**GOOD) == "0100109106"
    assert check_organisation(**{**GOOD, "tax_code": "0100109106-001"}) == "0100109106-001"  # a branch


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (" 0100109106 ", "0100109106"),
        ("0100 109 106", "0100109106"),
        ("01.00.109.106", "0100109106"),
        ("0100109106001", "0100109106-001"),
        ("0100109106 - 001", "0100109106-001"),
    ],
)
def test_a_tax_code_is_stored_in_one_form_however_it_was_typed(typed, stored):
    assert normalize_tax_code(typed) == stored
    assert len(stored) <= 14


def test_a_wrong_check_digit_is_refused_with_a_message_that_says_so():
    assert mst.is_valid("0100109106")
    with pytest.raises(ValidationError) as exc:
        normalize_tax_code("0100109107")
    assert exc.value.field == "tax_code"
    assert in_english(exc.value.message).startswith("The tax code's check digit")


def test_a_branch_of_a_code_with_a_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as exc:
        normalize_tax_code("0100109107-001")
    assert "check digit" in in_english(exc.value.message)


@pytest.mark.parametrize("typed", ["0100109106-000", "0100000001"])
def test_impossible_parts_are_refused(typed):
    with pytest.raises(ValidationError) as exc:
        normalize_tax_code(typed)
    assert exc.value.field == "tax_code"
    assert "check digit" not in in_english(exc.value.message)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"tax_code": ""}, "tax_code"),
        ({"tax_code": "123"}, "tax_code"),
        ({"tax_code": "0100109106-1"}, "tax_code"),
        ({"tax_code": "01001091AB"}, "tax_code"),
        ({"tax_code": "0100109107"}, "tax_code"),
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


# --- Rules producers and partners share (each side's own tests cover them through its services)


class _Org:
    def __init__(self, id_, name):
        self.id, self.name = id_, name


class _Membership:
    def __init__(self, org, role="owner"):
        self.org, self.role = org, role


def test_a_member_acts_for_the_organisation_chosen_this_session_else_the_first_by_name():
    sen, xoi = _Membership(_Org(2, "Chè Sen Quảng An")), _Membership(_Org(1, "HTX Xôi Phú Thượng"))
    assert membership_in_use([xoi, sen], 1, org_of=lambda m: m.org) is xoi
    assert membership_in_use([xoi, sen], None, org_of=lambda m: m.org) is sen
    assert membership_in_use([xoi, sen], 99, org_of=lambda m: m.org) is sen  # no longer a member of 99
    assert membership_in_use([], 1, org_of=lambda m: m.org) is None


def test_only_an_owner_of_an_application_awaiting_review_or_turned_down_has_one_to_correct():
    org_of = lambda m: m.org  # noqa: E731
    pending, active = _Org(1, "A"), _Org(2, "B")
    pending.status, active.status = "pending", "active"
    assert pending_application([_Membership(active), _Membership(pending)], org_of) is pending
    assert pending_application([_Membership(pending, role="staff")], org_of) is None


def test_a_decisions_reason_keeps_its_lines_and_is_refused_when_missing_or_too_long():
    assert check_reason("  Thiếu giấy\r\nchứng nhận  ", required=True, missing="why?") == "Thiếu giấy\nchứng nhận"
    assert check_reason("   ", required=False, missing="why?") is None
    with pytest.raises(ValidationError) as exc:
        check_reason("", required=True, missing="why?")
    assert (exc.value.field, exc.value.message) == ("reason", "why?")
    with pytest.raises(ValidationError) as exc:
        check_reason("x" * (MAX_REASON + 1), required=False, missing="why?")
    assert exc.value.field == "reason"
