"""Rewards balances and entries, staff adjustments, coupons and the member club."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["rewards"])
