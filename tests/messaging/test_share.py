import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from goodword.messaging.share import ShareChannel, ShareLink, qr_png, qr_svg, share_links, tag_url

URL = "https://shop.example.com/r/AB12?utm_campaign=spring&x=a%26b"
TEXT = "我很喜欢这家的乌龙茶 & you'll love it: 10% off"


def by_channel(url: str = URL, text: str = TEXT) -> dict[ShareChannel, ShareLink]:
    return {link.channel: link for link in share_links(url, text)}


def query_of(link: str | None) -> dict[str, list[str]]:
    assert link is not None
    return parse_qs(urlsplit(link).query, keep_blank_values=True)


def test_every_channel_gets_a_link_tagged_with_its_name() -> None:
    links = by_channel()
    assert set(links) == set(ShareChannel)
    for channel, link in links.items():
        query = parse_qs(urlsplit(link.url).query)
        assert query["gw_ch"] == [channel.value]
        # the store's own parameters survive, escapes and all
        assert query["utm_campaign"] == ["spring"]
        assert query["x"] == ["a&b"]


def test_tagging_replaces_an_earlier_tag_and_keeps_the_fragment() -> None:
    tagged = tag_url("https://shop.example.com/p?gw_ch=x&k=1#reviews", ShareChannel.LINE)
    assert tagged == "https://shop.example.com/p?k=1&gw_ch=line#reviews"


@pytest.mark.parametrize(
    ("channel", "prefix", "fields"),
    [
        (ShareChannel.WHATSAPP, "https://wa.me/", {"text": "both"}),
        (ShareChannel.X, "https://x.com/intent/post", {"text": "text", "url": "url"}),
        (ShareChannel.FACEBOOK, "https://www.facebook.com/sharer/sharer.php", {"u": "url"}),
        (ShareChannel.LINE, "https://social-plugins.line.me/lineit/share", {"url": "url"}),
        (ShareChannel.TELEGRAM, "https://t.me/share/url", {"url": "url", "text": "text"}),
        (ShareChannel.EMAIL, "mailto:", {"subject": "text", "body": "both"}),
        (ShareChannel.SMS, "sms:", {"body": "both"}),
    ],
)
def test_each_share_link_decodes_back_to_the_url_and_text(
    channel: ShareChannel, prefix: str, fields: dict[str, str]
) -> None:
    # given
    link = by_channel()[channel]
    expected = {"url": link.url, "text": TEXT, "both": f"{TEXT} {link.url}"}
    # then
    assert link.link is not None
    assert link.link.startswith(prefix)
    # spaces are %20, never '+': mail and SMS apps would show a '+' as it is
    assert " " not in link.link
    assert "+" not in link.link
    query = query_of(link.link)
    for field, which in fields.items():
        assert query[field] == [expected[which]], field


def test_chinese_text_is_percent_encoded_as_utf8() -> None:
    link = by_channel(text="你好")[ShareChannel.TELEGRAM].link
    assert link is not None
    assert "text=%E4%BD%A0%E5%A5%BD" in link
    assert link.isascii()


def test_wechat_and_qq_are_shared_by_qr_code_and_copyable_text() -> None:
    links = by_channel()
    for channel in (ShareChannel.WECHAT, ShareChannel.QQ):
        assert links[channel].link is None
        assert links[channel].qr_data == links[channel].url
        assert links[channel].text == f"{TEXT} {links[channel].url}"
    assert links[ShareChannel.COPY].text == f"{TEXT} {links[ShareChannel.COPY].url}"
    assert links[ShareChannel.WHATSAPP].qr_data is None


def test_a_qr_png_is_a_png_image() -> None:
    image = qr_png("https://shop.example.com/r/AB12?gw_ch=wechat", scale=4)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert image[12:16] == b"IHDR"
    width, height = int.from_bytes(image[16:20], "big"), int.from_bytes(image[20:24], "big")
    # 44 bytes at level M need version 4: 33 modules, a quiet zone of 4 each side, 4 pixels a module
    assert width == height == (33 + 8) * 4


def test_a_qr_svg_is_an_svg_document() -> None:
    svg = qr_svg("https://shop.example.com/r/AB12?gw_ch=qq", scale=2)
    root = ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


@pytest.mark.parametrize(
    "data", ["https://shop.example.com/r/AB12?gw_ch=wechat", "扫码领取优惠 https://shop.example.com"]
)
def test_a_qr_png_scans_back_to_its_data(data: str, tmp_path: Path) -> None:
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.skip("zbarimg (apt package zbar-tools) is not installed; the structure tests above still ran")
    image = tmp_path / "code.png"
    image.write_bytes(qr_png(data))
    scanned = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sbinary", str(image)], capture_output=True, check=True, timeout=10
    )
    assert scanned.stdout.decode().rstrip("\n") == data


@pytest.mark.parametrize(
    ("data", "scale", "message"),
    [
        ("", 8, "nothing to encode"),
        ("x" * 1001, 8, "at most 1000"),
        ("x", 0, "scale"),
        ("你" * 900, 8, "too large"),
    ],
)
def test_a_qr_code_refuses_what_it_cannot_hold(data: str, scale: int, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        qr_svg(data, scale=scale)
