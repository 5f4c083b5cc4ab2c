"""Tables of the referral program's operations: fraud signals, follow-ups, reminders, offer experiments."""

from __future__ import annotations
