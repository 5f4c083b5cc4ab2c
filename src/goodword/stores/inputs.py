"""What the outside world may send about a store's customers, products, orders and ties, validated.

These models are shared by every way in (REST, webhooks, CSV imports, the demo) so a rule is written once.
"""

from __future__ import annotations

import hashlib
import re
import zoneinfo
from datetime import UTC, datetime, timedelta
from typing import Annotated

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from goodword.money import is_currency
from goodword.stores.models import OrderStatus, TieSource

# No slashes, whitespace or control characters: an external id travels in URL paths such as
# /customers/{external_id}, and PostgreSQL text cannot hold NUL at all.
IDENTIFIER_PATTERN = r"^[^\s/\x00-\x1f\x7f]{1,255}$"
ExternalId = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
Sku = Annotated[str, StringConstraints(pattern=IDENTIFIER_PATTERN)]
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
# Amounts, and the totals computed from them, must fit a 64-bit column with room to add them up.
MAX_AMOUNT_MINOR = 10**15
# Strict: a JSON integer only, so "27.00" or 27.5 is refused instead of being read as 27 minor units.
AmountMinor = Annotated[int, Field(ge=0, le=MAX_AMOUNT_MINOR, strict=True)]
# Every real zone's offset lies within XML Schema's bound of ±14:00; Python takes up to ±24h, PostgreSQL ±16h.
_MAX_UTC_OFFSET = timedelta(hours=14)


def _check_email(value: str) -> str:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError as error:
        raise ValueError(f"{value!r} is not an email address: {error}") from None


def _check_phone(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{value!r} is not a phone number in E.164 form such as '+14155550123'") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError(f"{value!r} is not a possible phone number")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def _check_time_zone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a folder such as 'America'
        raise ValueError(f"{value!r} is not an IANA time zone such as 'Europe/Berlin'") from None
    return value


def _check_locale(value: str) -> str:
    if not _LOCALE.match(value):
        raise ValueError(f"{value!r} is not a locale tag such as 'en' or 'zh-CN'")
    return value.replace("_", "-")


def _refuse_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


def _check_utc_range(value: datetime) -> datetime:
    offset = value.utcoffset()
    if offset is not None and abs(offset) > _MAX_UTC_OFFSET:
        raise ValueError(f"{value.isoformat()!r} has a UTC offset beyond ±14:00")
    try:
        value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value.isoformat()!r} is out of range once converted to UTC") from None
    return value


def _check_currency(value: str) -> str:
    if not is_currency(value):
        raise ValueError(f"{value!r} is not an ISO 4217 currency code such as 'USD'")
    return value


Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), AfterValidator(_check_email)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), AfterValidator(_check_phone)]
TimeZone = Annotated[str, AfterValidator(_check_time_zone)]
Locale = Annotated[str, StringConstraints(max_length=35), AfterValidator(_check_locale)]
Currency = Annotated[str, AfterValidator(_check_currency)]
Url = Annotated[str, StringConstraints(pattern=r"^https?://[^\s\x00-\x1f\x7f]+$", max_length=2000)]
Text200 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), AfterValidator(_refuse_nul)
]
Text500 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), AfterValidator(_refuse_nul)
]
Moment = Annotated[AwareDatetime, AfterValidator(_check_utc_range)]


class InputModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def content_hash(self) -> str:
        """A fingerprint of exactly what was sent, so an identical upsert can change nothing."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


class ReferralContext(InputModel):
    """What the shop knows about a visit that may come from a referral: sent with a registration or an order.

    Goodword attributes by `token` (from the referral link's cookie or query parameter), else by `code` (typed
    at checkout), else by the invited email or phone. The rest feeds the fraud guard, which stores only hashes.
    """

    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_\-.]{1,200}$")] | None = Field(
        default=None,
        description="The referral token the shop received with the visitor (cookie `gw_ref` or query parameter).",
    )
    code: (
        Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9_\-]{1,64}$")] | None
    ) = Field(default=None, description="A referral code typed by the customer, for example at checkout.")
    ip: Annotated[str, StringConstraints(max_length=64)] | None = Field(
        default=None, description="The visitor's IP address."
    )
    user_agent: Annotated[str, StringConstraints(max_length=1000)] | None = None
    device_id: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="A device fingerprint the shop computes, if it has one."
    )
    payment_fingerprint: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        default=None, description="A fingerprint of the payment method (for example a card fingerprint)."
    )
    address: Annotated[str, StringConstraints(max_length=1000)] | None = Field(
        default=None, description="The shipping address as one line; compared after normalization."
    )


class CustomerIn(InputModel):
    external_id: ExternalId
    email: Email | None = None
    phone: Phone | None = None
    name: Text200 | None = None
    locale: Locale | None = None
    time_zone: TimeZone | None = None
    marketing_consent: bool = False
    created_at: Moment | None = Field(default=None, description="When the customer joined the shop.")
    referral: ReferralContext | None = Field(
        default=None, description="Referral token or code and visit facts, when the customer registers."
    )


class ProductIn(InputModel):
    sku: Sku
    title: Text500
    url: Url | None = None
    image_url: Url | None = None
    price_minor: AmountMinor | None = Field(default=None, description="Price in minor units (cents).")
    currency: Currency | None = None

    @model_validator(mode="after")
    def price_has_currency(self) -> ProductIn:
        if self.price_minor is not None and self.currency is None:
            raise ValueError("price_minor needs a currency")
        return self


class OrderLineIn(InputModel):
    sku: Sku | None = None
    title: Text500
    quantity: Annotated[int, Field(gt=0, le=1_000_000)]
    unit_price_minor: AmountMinor

    @model_validator(mode="after")
    def total_in_range(self) -> OrderLineIn:
        if self.quantity * self.unit_price_minor > MAX_AMOUNT_MINOR:
            raise ValueError(f"quantity times unit_price_minor is over {MAX_AMOUNT_MINOR}")
        return self


class OrderIn(InputModel):
    external_id: ExternalId
    customer_external_id: ExternalId | None = None
    customer: CustomerIn | None = Field(default=None, description="Creates or updates the customer as well.")
    status: OrderStatus
    currency: Currency
    subtotal_minor: AmountMinor | None = Field(default=None, description="Defaults to the sum of the lines.")
    discount_minor: AmountMinor = 0
    shipping_minor: AmountMinor = 0
    tax_minor: AmountMinor = 0
    total_minor: AmountMinor
    placed_at: Moment
    paid_at: Moment | None = None
    fulfilled_at: Moment | None = None
    refunded_at: Moment | None = None
    cancelled_at: Moment | None = None
    lines: Annotated[list[OrderLineIn], Field(max_length=500)] = []
    referral: ReferralContext | None = Field(
        default=None, description="Referral token or code typed at checkout, and visit facts."
    )

    @model_validator(mode="after")
    def one_customer_reference(self) -> OrderIn:
        if (
            self.customer is not None
            and self.customer_external_id is not None
            and self.customer.external_id != self.customer_external_id
        ):
            raise ValueError("customer_external_id and customer.external_id name different customers")
        return self

    @model_validator(mode="after")
    def lines_subtotal_in_range(self) -> OrderIn:
        if self.lines_subtotal_minor > MAX_AMOUNT_MINOR:
            raise ValueError(f"the lines add up to more than {MAX_AMOUNT_MINOR}")
        return self

    @property
    def customer_reference(self) -> str | None:
        return self.customer.external_id if self.customer is not None else self.customer_external_id

    @property
    def lines_subtotal_minor(self) -> int:
        return sum(line.quantity * line.unit_price_minor for line in self.lines)


class TieIn(InputModel):
    from_external_id: ExternalId
    to_external_id: ExternalId
    source: TieSource = TieSource.DECLARED
    created_at: Moment | None = None

    @model_validator(mode="after")
    def not_self(self) -> TieIn:
        if self.from_external_id == self.to_external_id:
            raise ValueError("a customer cannot be tied to themselves")
        return self
