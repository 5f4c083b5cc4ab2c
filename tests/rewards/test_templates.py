"""The member club's emails render in English and Chinese from the payloads the services write."""

import pytest

from goodword.messaging.templates import Branding, render

TIER = {"name": "Ann", "tier": "Gold", "previous_tier": "Silver", "upward": True, "discount_percent": 10}
BIRTHDAY = {"name": "Ann", "code": "K7QF-M2XD-9RTA", "percent_off": 15, "expires_on": "2026-06-16"}


@pytest.mark.parametrize(
    ("kind", "payload", "locale", "expected"),
    [
        ("member_tier_changed", TIER, "en", "Welcome to Gold"),
        ("member_tier_changed", TIER, "zh-CN", "欢迎升级为Gold会员"),
        ("member_tier_changed", {**TIER, "upward": False, "tier": "Member"}, "en", "now Member"),
        ("member_birthday", BIRTHDAY, "en", "K7QF-M2XD-9RTA"),
        ("member_birthday", BIRTHDAY, "zh", "生日快乐"),
    ],
)
def test_member_emails_render_in_the_customers_language(
    kind: str, payload: dict[str, object], locale: str, expected: str
) -> None:
    # when
    email = render(kind, locale=locale, payload=payload, branding=Branding(name="Tea House"))
    # then
    assert expected in email.subject + email.text
    assert expected in email.html
