"""Reviews, review requests, moderation, replies and votes (staff and request-link writes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["reviews"])
