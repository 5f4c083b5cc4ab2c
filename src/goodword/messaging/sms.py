"""SMS: E.164 numbers, GSM-7 and UCS-2 segment counting, and the gateways that send a text message.

Two gateways, chosen by `GOODWORD_SMS_GATEWAY`:

* ``twilio``: any Twilio-compatible REST API (Twilio itself, or a provider that copies its interface);
* ``webhook``: a JSON POST to a URL of your own, signed with HMAC-SHA256 like inbound order webhooks.

An SMS message's payload is ``{"text": "..."}``; the text is sent as it is, in as many segments as it needs,
up to `MAX_SEGMENTS`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

import httpx
from pydantic import TypeAdapter, ValidationError

from goodword.config import Settings
from goodword.messaging.claims import ClaimedMessage, DeliveryResult
from goodword.messaging.worker import Transport
from goodword.stores.inputs import Phone
from goodword.stores.order_webhooks import sign

# Ten parts is already a long letter on a phone, and each part is billed; anything longer is a mistake.
MAX_SEGMENTS = 10
TWILIO_BASE_URL = "https://api.twilio.com"
SIGNATURE_HEADER = "X-Goodword-Signature"

# The GSM 03.38 default alphabet (one septet each) and its extension table (escape + one septet: two each).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

Encoding = Literal["GSM-7", "UCS-2"]
# (units in a message of one part, units in each part of a concatenated one): the user data header of a
# concatenated message takes 6 bytes, which is 7 septets or 3 UTF-16 code units.
_PART_SIZES: dict[Encoding, tuple[int, int]] = {"GSM-7": (160, 153), "UCS-2": (70, 67)}

_phone = TypeAdapter(Phone)


@dataclass(frozen=True, slots=True)
class Segments:
    """How a text travels: its encoding, how many parts it is split into, and its length in that encoding.

    `units` counts septets for GSM-7 (an extension character such as '€' takes two) and UTF-16 code units
    for UCS-2 (an emoji outside the Basic Multilingual Plane takes two).
    """

    encoding: Encoding
    segments: int
    units: int


def count_segments(text: str) -> Segments:
    """The encoding and number of segments an SMS with this text needs.

    A character is never split between two parts: an escaped GSM-7 character or a UTF-16 surrogate pair
    that would straddle a boundary moves whole to the next part, as handsets and gateways do.

    >>> count_segments("Hello")
    Segments(encoding='GSM-7', segments=1, units=5)
    >>> count_segments("你好")
    Segments(encoding='UCS-2', segments=1, units=2)
    """
    if all(c in GSM7_BASIC or c in GSM7_EXTENSION for c in text):
        encoding: Encoding = "GSM-7"
        widths = [2 if c in GSM7_EXTENSION else 1 for c in text]
    else:
        encoding = "UCS-2"
        widths = [2 if ord(c) > 0xFFFF else 1 for c in text]
    units = sum(widths)
    single, per_part = _PART_SIZES[encoding]
    if units <= single:
        return Segments(encoding, 1 if units else 0, units)
    return Segments(encoding, _parts(widths, per_part), units)


def _parts(widths: list[int], per_part: int) -> int:
    if all(w == 1 for w in widths):
        return math.ceil(len(widths) / per_part)
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return parts


def to_e164(number: str) -> str:
    """The number in E.164 form ('+14155550123'), by the same rule customers' phone numbers are stored with.

    Raises:
        ValueError: not a possible phone number in international form.
    """
    try:
        return _phone.validate_python(number)
    except ValidationError as error:
        raise ValueError(error.errors()[0]["msg"].removeprefix("Value error, ")) from None


@dataclass(frozen=True, slots=True)
class SmsBody:
    """A message checked and ready for a gateway."""

    to: str
    text: str
    segments: Segments


def read_sms(message: ClaimedMessage) -> SmsBody | DeliveryResult:
    """The SMS a claimed message asks for, or the permanent failure that says why it cannot be sent."""
    try:
        to = to_e164(message.recipient)
    except ValueError as error:
        return DeliveryResult(False, error=str(error), permanent=True)
    try:
        text = json.loads(message.payload).get("text")
    except (ValueError, AttributeError):
        text = None
    if not isinstance(text, str) or not text.strip():
        return DeliveryResult(
            False, error='an SMS message needs a payload such as {"text": "..."}', permanent=True
        )
    segments = count_segments(text)
    if segments.segments > MAX_SEGMENTS:
        return DeliveryResult(
            False,
            error=f"the text needs {segments.segments} {segments.encoding} segments; at most {MAX_SEGMENTS} are sent",
            permanent=True,
        )
    return SmsBody(to, text, segments)


def result_of(response: httpx.Response) -> DeliveryResult:
    """A gateway's answer as a delivery result.

    2xx is delivered. 429 and 5xx are retried, and so are 401, 403, 404 and 408: wrong credentials or a
    wrong account URL are fixed in the settings, and the messages should still be waiting when they are.
    Any other 4xx (400 for an invalid number, say) says the message itself is refused: it is dead at once.
    """
    if response.is_success:
        return DeliveryResult(True, response.status_code)
    code = response.status_code
    retryable = code >= 500 or code in {401, 403, 404, 408, 429}
    return DeliveryResult(
        False, code, f"the gateway answered {code}: {_reason(response)}", permanent=not retryable
    )


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):  # Twilio: {"code": 21211, "message": "..."}
        code = f" (code {body['code']})" if body.get("code") else ""
        return f"{body['message']}{code}"[:500]
    return response.text[:500] or response.reason_phrase


class TwilioSmsTransport:
    """POSTs to a Twilio-compatible `Messages.json` with HTTP basic auth (account SID and auth token)."""

    def __init__(self, settings: Settings, *, client: httpx.Client | None = None) -> None:
        if not (settings.sms_account and settings.sms_token and settings.sms_from):
            raise ValueError(
                "GOODWORD_SMS_GATEWAY=twilio needs GOODWORD_SMS_ACCOUNT, GOODWORD_SMS_TOKEN and GOODWORD_SMS_FROM"
            )
        base = (settings.sms_url or TWILIO_BASE_URL).rstrip("/")
        self.url = f"{base}/2010-04-01/Accounts/{settings.sms_account}/Messages.json"
        self.sender = settings.sms_from
        self.auth = httpx.BasicAuth(settings.sms_account, settings.sms_token)
        self.client = client or _client(settings)

    def deliver(self, message: ClaimedMessage) -> DeliveryResult:
        sms = read_sms(message)
        if isinstance(sms, DeliveryResult):
            return sms
        form = {"To": sms.to, "From": self.sender, "Body": sms.text}
        try:
            response = self.client.post(self.url, data=form, auth=self.auth)
        except httpx.HTTPError as error:
            return DeliveryResult(False, error=f"the gateway could not be reached: {error!r}")
        return result_of(response)

    def close(self) -> None:
        self.client.close()


class WebhookSmsTransport:
    """POSTs the message as JSON to a gateway of your own, signed `X-Goodword-Signature: sha256=<hex>`.

    The signature is the HMAC-SHA256 of the raw body keyed with `GOODWORD_SMS_TOKEN`, the same scheme as
    inbound order webhooks; `message_id` is stable across retries, so the gateway can drop a repeat.
    """

    def __init__(self, settings: Settings, *, client: httpx.Client | None = None) -> None:
        if not (settings.sms_url and settings.sms_token):
            raise ValueError("GOODWORD_SMS_GATEWAY=webhook needs GOODWORD_SMS_URL and GOODWORD_SMS_TOKEN")
        self.url = settings.sms_url
        self.secret = settings.sms_token
        self.sender = settings.sms_from
        self.client = client or _client(settings)

    def deliver(self, message: ClaimedMessage) -> DeliveryResult:
        sms = read_sms(message)
        if isinstance(sms, DeliveryResult):
            return sms
        body = json.dumps(
            {
                "to": sms.to,
                "from": self.sender,
                "body": sms.text,
                "message_id": message.id,
                "segments": sms.segments.segments,
                "encoding": sms.segments.encoding,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: sign(self.secret, body)}
        try:
            response = self.client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return DeliveryResult(False, error=f"the gateway could not be reached: {error!r}")
        return result_of(response)

    def close(self) -> None:
        self.client.close()


def _client(settings: Settings) -> httpx.Client:
    # One pooled client per transport, shared by the worker's delivery threads (httpx.Client is thread-safe).
    limits = httpx.Limits(max_connections=settings.worker_concurrency)
    return httpx.Client(timeout=settings.webhook_timeout_seconds, limits=limits)


def build_sms_transport(settings: Settings) -> Transport | None:
    """The transport `GOODWORD_SMS_GATEWAY` names, or None when SMS is turned off.

    Raises:
        ValueError: the chosen gateway lacks a setting it needs.
    """
    if settings.sms_gateway == "twilio":
        return TwilioSmsTransport(settings)
    if settings.sms_gateway == "webhook":
        return WebhookSmsTransport(settings)
    return None
