"""Normal forms of the identities a fraud check compares, and the hashes it stores instead of them.

Two sign-ups by one person rarely type the same string twice: `Jane.Doe+promo@googlemail.com` and
`janedoe@gmail.com` reach the same inbox, `+44 20 7946 0958` and `020 7946 0958` ring the same phone,
`12 Baker Street, Apt 3` and `12 baker st apt. 3` are one door. Normal forms make them compare equal;
`signal_hash` keeps only a keyed digest, so the fraud tables never hold the address itself.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import phonenumbers

# Providers that ignore dots in the local part; googlemail.com is an old alias of gmail.com.
_DOTLESS_DOMAINS = frozenset({"gmail.com"})
_DOMAIN_ALIASES = {"googlemail.com": "gmail.com"}
_ADDRESS_WORDS = {
    "street": "st",
    "str": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "boulevard": "blvd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "square": "sq",
    "apartment": "apt",
    "suite": "ste",
    "floor": "fl",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def email_domain(email: str) -> str:
    """The domain of an address, lower case, aliases resolved: `a@GoogleMail.com` → `gmail.com`."""
    domain = email.strip().rpartition("@")[2].lower().rstrip(".")
    return _DOMAIN_ALIASES.get(domain, domain)


def normalize_email(email: str) -> str:
    """The mailbox an address reaches: lower case, `+tag` removed, Gmail's dots removed.

    >>> normalize_email("Jane.Doe+promo@GoogleMail.com")
    'janedoe@gmail.com'
    """
    local, _, _ = email.strip().lower().rpartition("@")
    domain = email_domain(email)
    local = local.split("+", 1)[0]
    if domain in _DOTLESS_DOMAINS:
        local = local.replace(".", "")
    return f"{local}@{domain}"


def normalize_phone(phone: str) -> str | None:
    """E.164 (`+442079460958`), or None when the number cannot be read without a country."""
    try:
        number = phonenumbers.parse(phone, None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))


def normalize_address(address: str) -> str:
    """One line, case-folded, punctuation gone and common words abbreviated.

    >>> normalize_address("12 Baker Street, Apartment 3")
    '12 baker st apt 3'
    """
    text = unicodedata.normalize("NFKC", address).casefold()
    words = [_ADDRESS_WORDS.get(word, word) for word in _NOT_WORD.sub(" ", text).split()]
    return " ".join(words)


def normalize_text(value: str) -> str:
    """Opaque identifiers (device ids, payment fingerprints, IP addresses): trimmed, case-folded."""
    return value.strip().casefold()


def signal_hash(store_id: str, kind: str, value: str) -> str:
    """A digest of one normalized signal, keyed by store and kind so nothing links across shops."""
    return hashlib.sha256(f"{store_id}\x1f{kind}\x1f{value}".encode()).hexdigest()
