"""Photo files live exactly as long as the rows that name them: a rolled-back upload leaves no file."""

import io
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.orm import Session

from goodword.reviews.photos import PhotoLimits, add_photo
from tests.factories.reviews import make_purchase, make_review
from tests.factories.stores import StoreAccess

LIMITS = PhotoLimits(max_bytes=1_000_000, max_pixels=10_000_000, per_review=5)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(buffer, format="PNG")
    return buffer.getvalue()


def _upload_then_fail(session: Session, store_id: str, review_id: int, media_dir: Path) -> None:
    """A request that stores a photo and then fails: its transaction (here a savepoint) rolls back."""
    with session.begin_nested():
        add_photo(
            session, store_id=store_id, review_id=review_id, data=_png(), media_dir=media_dir, limits=LIMITS
        )
        raise RuntimeError("the request failed after the upload")


def _files(media_dir: Path) -> list[str]:
    return sorted(path.name for path in media_dir.rglob("*") if path.is_file())


def test_a_photo_added_in_a_transaction_that_rolls_back_leaves_no_file(
    session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    # given a review
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    # when a photo is added and the request then fails
    with pytest.raises(RuntimeError):
        _upload_then_fail(session, store.store_id, review.id, tmp_path)
    # then neither the photo nor its thumbnail is left behind
    assert _files(tmp_path) == []


def test_a_photo_whose_transaction_commits_keeps_its_files(
    session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    # given
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    # when
    with session.begin_nested():
        photo = add_photo(session, store_id=store.store_id, review_id=review.id, data=_png(), media_dir=tmp_path,
                          limits=LIMITS)  # fmt: skip
    # then
    assert _files(tmp_path) == sorted([photo.file_key, photo.thumbnail_key])


def test_a_rolled_back_upload_leaves_the_earlier_photos_files(
    session: Session, store: StoreAccess, tmp_path: Path
) -> None:
    # given one photo stored
    review = make_review(session, make_purchase(session, store_id=store.store_id))
    with session.begin_nested():
        kept = add_photo(session, store_id=store.store_id, review_id=review.id, data=_png(), media_dir=tmp_path,
                         limits=LIMITS)  # fmt: skip
    # when a second upload's transaction rolls back
    with pytest.raises(RuntimeError):
        _upload_then_fail(session, store.store_id, review.id, tmp_path)
    # then only the first photo's files remain
    assert _files(tmp_path) == sorted([kept.file_key, kept.thumbnail_key])
