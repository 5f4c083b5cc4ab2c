"""Referral programs, customers' referral links, invitations and referrals."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["referrals"])
