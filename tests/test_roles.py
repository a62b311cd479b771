import pytest

from tests.factories import PASSWORD, PartnerMemberFactory, ProducerMemberFactory, UserFactory

ROLE_PAGES = {"admin": "/admin/", "producer": "/producer/", "partner": "/partner/"}


def make_user(role: str):
    if role == "admin":
        return UserFactory(is_admin=True)
    if role == "producer":
        return ProducerMemberFactory(producer__name="HTX Xôi Phú Thượng").user
    if role == "partner":
        return PartnerMemberFactory(partner__name="Nhà hàng Xôi Hà Thành").user
    return UserFactory()


@pytest.mark.parametrize("url", ROLE_PAGES.values())
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


@pytest.mark.parametrize("role", ["shopper", "admin", "producer", "partner"])
def test_each_role_page_answers_403_to_everyone_without_that_role(client, login, role):
    user = make_user(role)
    login(user.email, PASSWORD)
    for page_role, url in ROLE_PAGES.items():
        response = client.get(url)
        expected = 200 if page_role == role else 403
        assert response.status_code == expected, (role, url)
        if expected == 403:
            assert "Bạn không có quyền truy cập trang này" in response.get_data(as_text=True)


def test_producer_portal_shows_the_producers_the_user_acts_for(client, login):
    member = ProducerMemberFactory(
        producer__name="HTX Xôi Phú Thượng", producer__tax_code="0109000015", producer__ward_code=91
    )
    ProducerMemberFactory(producer__name="Someone else's co-op")
    login(member.user.email, PASSWORD)
    page = client.get("/producer/").get_data(as_text=True)
    assert "HTX Xôi Phú Thượng" in page
    assert "0109000015" in page
    assert "Phường Phú Thượng, Thành phố Hà Nội" in page
    assert "Someone else" not in page


def test_the_account_menu_offers_only_the_users_own_portals(client, login):
    member = ProducerMemberFactory()
    login(member.user.email, PASSWORD)
    page = client.get("/").get_data(as_text=True)
    assert 'href="/producer/"' in page
    assert 'href="/admin/"' not in page
    assert 'href="/partner/"' not in page


def test_admin_dashboard_lists_accounts_and_organisations(client, login):
    admin = UserFactory(is_admin=True, name="Quản trị")
    ProducerMemberFactory(producer__name="HTX Chè Sen Quảng An")
    PartnerMemberFactory(partner__name="Nhà hàng Sen")
    login(admin.email, PASSWORD)
    page = client.get("/admin/").get_data(as_text=True)
    assert "HTX Chè Sen Quảng An" in page
    assert "Nhà hàng Sen" in page
    assert admin.email in page
