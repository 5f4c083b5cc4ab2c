"""Every review import format by the name the CLI gives it."""

from __future__ import annotations

from typing import Any

from goodword.reviews.imports import judgeme, woocommerce, yotpo
from goodword.stores.imports.formats import ImportFormat

REVIEW_FORMATS: dict[str, ImportFormat[Any]] = {
    format_.name: format_ for format_ in (judgeme.REVIEWS, yotpo.REVIEWS, woocommerce.REVIEWS)
}
