"""Referral operations: follow-ups, reminders and campaigns, offer experiments."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["referral operations"])
