import pytest

from goodword.messaging.templates import (
    NEUTRAL_COLOR,
    TEMPLATE_DIR,
    Branding,
    TemplateFailed,
    UnknownTemplate,
    available_kinds,
    language_of,
    render,
)

TEA_HOUSE = Branding("Tea House", "https://shop.example/logo.png", "#0A7D4F")
NOTICE = {"subject": "Your webhook endpoint was disabled", "body": "It failed for three days.\n\nFix it."}


def test_a_notice_carries_its_subject_and_the_store_in_both_parts() -> None:
    email = render("notice", locale="en", payload=NOTICE, branding=TEA_HOUSE)
    assert email.subject == "Your webhook endpoint was disabled"
    assert "It failed for three days." in email.text
    assert "Tea House" in email.text
    assert "Tea House" in email.html
    assert '<html lang="en">' in email.html
    assert "#0a7d4f" in email.html
    assert 'src="https://shop.example/logo.png"' in email.html


def test_user_text_is_escaped_in_html_and_left_alone_in_plain_text() -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    email = render(
        "notice",
        locale="en",
        payload={"subject": attack, "body": attack},
        branding=Branding('Evil "Store" <b>'),
    )
    assert "<script>" not in email.html
    assert "<img src=x" not in email.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in email.html
    assert "Evil &#34;Store&#34; &lt;b&gt;" in email.html
    assert attack in email.text


@pytest.mark.parametrize("locale", ["zh", "zh-CN", "zh-Hant-TW", "ZH-cn"])
def test_chinese_locales_get_the_chinese_email(locale: str) -> None:
    email = render("test", locale=locale, payload={}, branding=TEA_HOUSE)
    assert email.subject == "来自 Tea House 的测试邮件"
    assert "测试邮件" in email.text
    assert '<html lang="zh-CN">' in email.html


@pytest.mark.parametrize("locale", [None, "", "en-GB", "fr", "ja-JP"])
def test_other_locales_get_english(locale: str | None) -> None:
    assert (
        render("test", locale=locale, payload={}, branding=TEA_HOUSE).subject == "Test email from Tea House"
    )
    assert language_of(locale) == "en"


@pytest.mark.parametrize(
    "color", [None, "", "red", "#fff", "#12345G", "#000000;background:url(x)", "#0A7D4F\n", "expression(x)"]
)
def test_a_colour_that_is_not_hex_rrggbb_falls_back_to_neutral(color: str | None) -> None:
    email = render("test", locale="en", payload={}, branding=Branding("Shop", brand_color=color))
    assert f"background:{NEUTRAL_COLOR};" in email.html
    assert "url(x)" not in email.html


def test_text_on_the_brand_colour_stays_readable() -> None:
    assert Branding("Shop", brand_color="#FFEE00").text_color == "#111827"
    assert Branding("Shop", brand_color="#1A237E").text_color == "#ffffff"


def test_a_logo_that_is_not_http_is_dropped_and_the_name_shown_instead() -> None:
    email = render("test", locale="en", payload={}, branding=Branding("Shop", "javascript:alert(1)"))
    assert "javascript:" not in email.html
    assert "<img" not in email.html


def test_the_unsubscribe_footer_appears_only_with_a_link() -> None:
    link = "https://goodword.example/u/st_1.42.sig"
    marketing = render("test", locale="en", payload={}, branding=TEA_HOUSE, unsubscribe_url=link)
    transactional = render("test", locale="en", payload={}, branding=TEA_HOUSE)
    assert f'href="{link}"' in marketing.html
    assert f"Unsubscribe: {link}" in marketing.text
    assert "nsubscribe" not in transactional.html + transactional.text
    chinese = render("test", locale="zh-CN", payload={}, branding=TEA_HOUSE, unsubscribe_url=link)
    assert "退订" in chinese.html
    assert f"退订：{link}" in chinese.text  # noqa: RUF001 - the Chinese colon is meant


def test_a_subject_is_always_one_line() -> None:
    email = render(
        "notice",
        locale="en",
        payload={"subject": "one\r\nBcc: x@evil.example", "body": ""},
        branding=TEA_HOUSE,
    )
    assert email.subject == "one Bcc: x@evil.example"


@pytest.mark.parametrize("kind", ["invitation_that_does_not_exist", "../notice", "_layout", "Notice", ""])
def test_an_unknown_kind_is_a_clear_error(kind: str) -> None:
    with pytest.raises(UnknownTemplate, match="no email template") as raised:
        render(kind, locale="en", payload={}, branding=TEA_HOUSE)
    assert raised.value.code == "unknown_template"


def test_a_payload_missing_a_field_is_a_clear_error() -> None:
    with pytest.raises(TemplateFailed, match=r"'notice' email could not be rendered.*subject"):
        render("notice", locale="en", payload={"body": "no subject"}, branding=TEA_HOUSE)


def test_every_kind_has_english_and_chinese_files_with_a_subject() -> None:
    # given the kinds issue 3 sends, and whatever later issues dropped in beside them
    kinds = available_kinds()
    assert {"notice", "test"} <= set(kinds)
    for kind in kinds:
        for language in ("en", "zh"):
            for extension in ("html", "txt"):
                assert (TEMPLATE_DIR / f"{kind}.{language}.{extension}").is_file(), (
                    kind,
                    language,
                    extension,
                )
            text = (TEMPLATE_DIR / f"{kind}.{language}.txt").read_text()
            assert "{% block subject %}" in text, kind
