"""The public referral link: `GET /r/{code}` records the click and redirects to the shop."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["referral links"])
