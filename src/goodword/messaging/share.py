"""Share links that need no API key: a prefilled post, chat or mail per channel, and QR codes for WeChat and QQ.

Every shared URL is tagged with the channel it was shared through, in the query parameter `gw_ch`
(`CHANNEL_PARAMETER`), e.g. `https://shop.example/r/AB12?gw_ch=whatsapp`; referral attribution reads it
back from the landing URL. Any other parameter of the URL (the store's own `utm_*`, a referral code) is
kept as it was.
"""

from __future__ import annotations

import enum
import io
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

import segno

CHANNEL_PARAMETER = "gw_ch"
# Comfortably below a version 40 code's capacity, and still scannable from a phone screen.
MAX_QR_DATA_CHARS = 1000
MAX_QR_SCALE = 40


class ShareChannel(enum.StrEnum):
    WHATSAPP = "whatsapp"
    X = "x"
    FACEBOOK = "facebook"
    LINE = "line"
    TELEGRAM = "telegram"
    EMAIL = "email"
    SMS = "sms"
    COPY = "copy"  # plain text to paste anywhere
    WECHAT = "wechat"  # no web share intent: scan a QR code, or paste the text
    QQ = "qq"


QR_CHANNELS = frozenset({ShareChannel.WECHAT, ShareChannel.QQ})


@dataclass(frozen=True, slots=True)
class ShareLink:
    channel: ShareChannel
    url: str  # the shared URL, tagged with this channel
    text: str  # the text and URL together, for pasting
    link: str | None  # opens the channel's share screen, prefilled; None where the channel has none
    qr_data: str | None  # what the QR code should encode, for the channels shared by scanning


def tag_url(url: str, channel: ShareChannel) -> str:
    """`url` with `gw_ch=<channel>` in its query, replacing any earlier tag; the fragment stays last.

    >>> tag_url("https://shop.example/r/AB12?utm_source=mail#top", ShareChannel.X)
    'https://shop.example/r/AB12?utm_source=mail&gw_ch=x#top'
    """
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != CHANNEL_PARAMETER]
    query.append((CHANNEL_PARAMETER, channel.value))
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))


def share_links(url: str, text: str, *, subject: str | None = None) -> list[ShareLink]:
    """One link per channel for sharing `url` with `text`; `subject` heads the email (the text by default)."""
    return [_link(channel, tag_url(url, channel), text, subject or text) for channel in ShareChannel]


def _link(channel: ShareChannel, url: str, text: str, subject: str) -> ShareLink:
    both = f"{text} {url}" if text else url
    links: dict[ShareChannel, str] = {
        ShareChannel.WHATSAPP: f"https://wa.me/?text={_q(both)}",
        ShareChannel.X: f"https://x.com/intent/post?text={_q(text)}&url={_q(url)}",
        ShareChannel.FACEBOOK: f"https://www.facebook.com/sharer/sharer.php?u={_q(url)}",
        ShareChannel.LINE: f"https://social-plugins.line.me/lineit/share?url={_q(url)}",
        ShareChannel.TELEGRAM: f"https://t.me/share/url?url={_q(url)}&text={_q(text)}",
        # RFC 6068: spaces as %20, never '+', which mail clients would show as a plus sign.
        ShareChannel.EMAIL: f"mailto:?subject={_q(subject)}&body={_q(both)}",
        # `sms:?&body=` is the one form both iOS and Android read.
        ShareChannel.SMS: f"sms:?&body={_q(both)}",
    }
    qr_data = url if channel in QR_CHANNELS else None
    return ShareLink(channel, url, both, links.get(channel), qr_data)


def _q(value: str) -> str:
    return quote(value, safe="")


def qr_png(data: str, *, scale: int = 8) -> bytes:
    """A QR code for `data` as a PNG image, `scale` pixels per module, with the standard quiet zone.

    Raises:
        ValueError: `data` is empty or too long, or `scale` out of range.
    """
    buffer = io.BytesIO()
    _qr(data, scale).save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


def qr_svg(data: str, *, scale: int = 8) -> bytes:
    """A QR code for `data` as an SVG document (UTF-8), `scale` units per module.

    Raises:
        ValueError: `data` is empty or too long, or `scale` out of range.
    """
    buffer = io.BytesIO()
    _qr(data, scale).save(buffer, kind="svg", scale=scale, border=4, xmldecl=True, title="QR code")
    return buffer.getvalue()


def _qr(data: str, scale: int) -> segno.QRCode:
    if not data:
        raise ValueError("there is nothing to encode in the QR code")
    if len(data) > MAX_QR_DATA_CHARS:
        raise ValueError(f"a QR code holds at most {MAX_QR_DATA_CHARS} characters here, not {len(data)}")
    if not 1 <= scale <= MAX_QR_SCALE:
        raise ValueError(f"the scale must be 1 to {MAX_QR_SCALE}, not {scale}")
    # Error correction M survives a smudged or partly covered screen; UTF-8 so Chinese text reads back.
    return segno.make_qr(data, error="m", encoding="utf-8")
