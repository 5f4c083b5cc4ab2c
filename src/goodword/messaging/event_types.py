"""The registry of event types a store's webhook endpoints can subscribe to.

Later domains add theirs to `EVENT_TYPES`, so a store can subscribe only to what exists and a typo is refused
instead of silently never matching.
"""

from __future__ import annotations

from goodword.errors import FieldIssue, InvalidInput

# Name → what it means. Names are `noun.verb`, at most 64 characters (the outbox's `kind` column).
EVENT_TYPES: dict[str, str] = {
    "webhook.test": "Sent when staff ask to test an endpoint; it changes nothing.",
    # referrals and rewards
    "referral.clicked": "Someone opened a customer's referral link.",
    "referral.registered": "A friend registered through a referral and was attributed to the referrer.",
    "referral.converted": "A referred friend's first order was paid.",
    "referral.flagged": "The fraud guard held a referral for review; the reasons are in the payload.",
    "reward.issued": "A reward was entered in the ledger (pending while its hold runs).",
    "reward.released": "A held reward's hold ended and it became spendable.",
    "reward.reversed": "A reward was clawed back by a reversing entry (refund, cancellation or staff).",
    "member.tier_changed": "A member moved to another tier of the member club.",
    # reviews and Q&A
    "review.created": "A review was submitted (it may still await moderation).",
    "review.published": "A review became visible on the store's pages.",
    "review.replied": "The merchant replied to a review.",
    "question.created": "Someone asked a question about a product.",
    "question.answered": "A question received an answer (from a buyer or the merchant).",
}
ALL_EVENTS = "*"  # subscribes an endpoint to every event type, including ones added later


def check_event_types(event_types: list[str]) -> list[str]:
    """The subscription as stored: known types only, without repeats; `*` alone stands for every type.

    Raises:
        InvalidInput: the list is empty or names a type that does not exist.
    """
    issues = [
        FieldIssue(f"event_types.{n}", f"unknown event type {name!r}; known: {sorted(EVENT_TYPES)}")
        for n, name in enumerate(event_types)
        if name != ALL_EVENTS and name not in EVENT_TYPES
    ]
    if not event_types:
        issues.append(FieldIssue("event_types", f"name at least one event type, or {ALL_EVENTS!r}"))
    if issues:
        raise InvalidInput("the event types are not usable", issues)
    if ALL_EVENTS in event_types:
        return [ALL_EVENTS]
    return list(dict.fromkeys(event_types))
