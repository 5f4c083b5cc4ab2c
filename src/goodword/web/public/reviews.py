"""Public, keyless, cached review data for a store's pages: reviews, summaries, Q&A, JSON-LD, feeds."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["public reviews"])
