"""Review photos: the type read from the bytes, bombs and oversize refused, metadata gone, thumbnails made.

An upload is decoded completely and written out again as a new image: nothing of the original file but its
pixels survives (no EXIF, GPS position, ICC profile or comments, no trailing data). Files live under
`<media_dir>/<store_id>/`, named by a random key; the table row says which review they belong to.

Files are written before the transaction that records them commits, and deleted if it rolls back (the
request's, or a savepoint around the upload). A crash in between can leave a file without a row: never served,
since only photos with a row are, and harmless to delete. The opposite, a row without its file, cannot happen.
"""

from __future__ import annotations

import io
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, func, select, update
from sqlalchemy.orm import Session, SessionTransaction

from goodword.clock import utc_now
from goodword.errors import Conflict, FieldIssue, InvalidInput
from goodword.reviews.models import Review, ReviewPhoto, ReviewStatus
from goodword.reviews.moderation import get_review_for_update

# Magic numbers of the formats taken; the file name and the declared content type are never trusted.
_SIGNATURES = {b"\xff\xd8\xff": "JPEG", b"\x89PNG\r\n\x1a\n": "PNG"}
THUMBNAIL_SIZE = (400, 400)
_KEY_BYTES = 16
# session.info key: the files written in a transaction not yet committed, with the transaction that wrote them.
_UNCOMMITTED = "goodword.reviews.photos.uncommitted"


@dataclass(frozen=True, slots=True)
class PhotoLimits:
    max_bytes: int
    max_pixels: int
    per_review: int


def sniff(data: bytes) -> str:
    """The image format the bytes start with: "JPEG", "PNG" or "WEBP".

    Raises:
        InvalidInput: anything else (`unsupported_image`).
    """
    for signature, kind in _SIGNATURES.items():
        if data.startswith(signature):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    raise InvalidInput(
        f"the file is not a JPEG, PNG or WebP image (it starts with {data[:8]!r})",
        [FieldIssue("file", "JPEG, PNG or WebP only", "unsupported_image")],
        code="unsupported_image",
    )


def clean_image(data: bytes, *, limits: PhotoLimits) -> tuple[Image.Image, str]:
    """Decode, check and re-draw an upload; returns the clean image and the format to store it in.

    Raises:
        InvalidInput: too large (`image_too_large`), too many pixels (`image_too_many_pixels`), not an image we
            take (`unsupported_image`) or not decodable (`image_unreadable`).
    """
    if len(data) > limits.max_bytes:
        raise InvalidInput(
            f"the photo is {len(data)} bytes; at most {limits.max_bytes} are taken",
            [FieldIssue("file", f"at most {limits.max_bytes} bytes", "image_too_large")],
            code="image_too_large",
        )
    kind = sniff(data)
    too_many = InvalidInput(
        f"the photo has too many pixels; at most {limits.max_pixels} are taken",
        [FieldIssue("file", f"at most {limits.max_pixels} pixels", "image_too_many_pixels")],
        code="image_too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            # Pillow warns, then refuses, past Image.MAX_IMAGE_PIXELS: both are a refusal here.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[kind]) as opened:
                width, height = opened.size  # read from the header, before any pixel is decoded
                if width * height > limits.max_pixels:
                    raise too_many
                opened.load()
                upright = ImageOps.exif_transpose(opened)
                has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
                mode = "RGBA" if has_alpha else "RGB"
                pixels = upright.convert(mode)
                clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidInput(
            f"the photo could not be read as {kind}: {error}",
            [FieldIssue("file", "a complete, undamaged image", "image_unreadable")],
            code="image_unreadable",
        ) from None
    return clean, "PNG" if has_alpha else "JPEG"


def add_photo(
    session: Session, *, store_id: str, review_id: int, data: bytes, media_dir: Path, limits: PhotoLimits
) -> ReviewPhoto:
    """Attach a photo to a review: checked, cleaned, stored with a thumbnail.

    Raises:
        NotFound: the store has no such review.
        Conflict: the review already has as many photos as a review may have.
        InvalidInput: as `clean_image`.
    """
    review = get_review_for_update(session, store_id=store_id, review_id=review_id)
    count = session.scalar(
        select(func.count()).where(ReviewPhoto.store_id == store_id, ReviewPhoto.review_id == review_id)
    )
    if (count or 0) >= limits.per_review:
        raise Conflict(f"review {review_id} already has {count} photos, the most a review may have",
                       code="too_many_photos")  # fmt: skip
    image, kind = clean_image(data, limits=limits)
    extension = "png" if kind == "PNG" else "jpg"
    key = secrets.token_hex(_KEY_BYTES)
    folder = media_dir / store_id
    folder.mkdir(parents=True, exist_ok=True)
    stored = _encode(image, kind)
    thumbnail = image.copy()
    thumbnail.thumbnail(THUMBNAIL_SIZE)
    for name, content in (
        (f"{key}.{extension}", stored),
        (f"{key}.thumb.{extension}", _encode(thumbnail, kind)),
    ):
        _track_until_commit(session, folder / name)
        (folder / name).write_bytes(content)
    photo = ReviewPhoto(
        store_id=store_id,
        review_id=review.id,
        position=(count or 0) + 1,
        file_key=f"{key}.{extension}",
        thumbnail_key=f"{key}.thumb.{extension}",
        content_type="image/png" if kind == "PNG" else "image/jpeg",
        width=image.width,
        height=image.height,
        size_bytes=len(stored),
        created_at=utc_now(),
    )
    session.add(photo)
    session.execute(
        update(Review)
        .where(Review.store_id == store_id, Review.id == review.id)
        .values(photo_count=Review.photo_count + 1)
        .execution_options(synchronize_session=False)
    )
    session.flush()
    return photo


def photo_file(session: Session, *, media_dir: Path, store_id: str, file_key: str) -> tuple[Path, str] | None:
    """The file and content type of a photo (or thumbnail) of a *published* review; None otherwise."""
    found = session.execute(
        select(ReviewPhoto.content_type)
        .join(Review, Review.id == ReviewPhoto.review_id)
        .where(
            ReviewPhoto.store_id == store_id,
            (ReviewPhoto.file_key == file_key) | (ReviewPhoto.thumbnail_key == file_key),
            Review.status == ReviewStatus.PUBLISHED,
        )
    ).scalar_one_or_none()
    if found is None:
        return None
    path = media_dir / store_id / file_key
    return (path, found) if path.is_file() else None


def _track_until_commit(session: Session, path: Path) -> None:
    """Delete `path` if the transaction now open (or one around it) rolls back; forget it once committed."""
    if _UNCOMMITTED not in session.info:
        session.info[_UNCOMMITTED] = []
        event.listen(session, "after_soft_rollback", _delete_rolled_back_files)
        event.listen(session, "after_commit", _forget_committed_files)
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info[_UNCOMMITTED].append((transaction, path))


def _delete_rolled_back_files(session: Session, previous_transaction: SessionTransaction) -> None:
    kept = []
    for transaction, path in session.info.get(_UNCOMMITTED, []):
        if _within(transaction, previous_transaction):
            path.unlink(missing_ok=True)
        else:
            kept.append((transaction, path))
    session.info[_UNCOMMITTED] = kept


def _forget_committed_files(session: Session) -> None:
    session.info[_UNCOMMITTED] = []


def _within(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _encode(image: Image.Image, kind: str) -> bytes:
    buffer = io.BytesIO()
    if kind == "PNG":
        image.save(buffer, format="PNG", optimize=True)
    else:
        image.save(buffer, format="JPEG", quality=88, optimize=True)
    return buffer.getvalue()
