"""The page language a visitor's browser asks for, among those Goodword speaks."""

from __future__ import annotations

SPOKEN = ("en", "zh")


def preferred_language(accept_language: str | None) -> str:
    """The spoken language with the highest weight in an Accept-Language header; English when none matches.

    >>> preferred_language("fr-FR, zh-CN;q=0.8, en;q=0.5")
    'zh'
    """
    best, best_weight = "en", 0.0
    for entry in (accept_language or "")[:500].split(","):
        tag, _, parameters = entry.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        if language not in SPOKEN:
            continue
        weight = 1.0
        name, _, value = parameters.strip().partition("=")
        if name.strip() == "q":
            try:
                weight = float(value)
            except ValueError:
                continue
        if weight > best_weight:  # strictly greater: among equals the browser's first choice wins
            best, best_weight = language, weight
    return best
