"""Settings, read once from the environment at start-up and passed down; never a module global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Everything Goodword reads from its environment (`GOODWORD_*`)."""

    model_config = SettingsConfigDict(env_prefix="GOODWORD_", extra="ignore")

    database_url: str = Field(default=f"sqlite:///{DEFAULT_DATA_DIR / 'goodword.db'}")
    log_format: Literal["text", "json"] = "text"
    log_level: str = "INFO"
    # A batch of 1,000 orders with a few lines each is about 1 MB; 8 MB leaves room without inviting abuse.
    max_body_bytes: int = Field(default=8 * 1024 * 1024, gt=0)
    max_batch_items: int = Field(default=1000, gt=0)
    public_base_url: str = "http://127.0.0.1:8000"
    webhook_tolerance_seconds: int = Field(default=300, gt=0)
    db_pool_size: int = Field(default=10, gt=0)
    # Signs unsubscribe links and other tokens customers carry; set a long random value in production.
    secret_key: str = "dev-only-secret-change-me"  # noqa: S105 - refused outside development, see below
    environment: Literal["development", "production"] = "development"

    # The outbox worker: embedded in `goodword serve` unless turned off for separate `goodword worker`s.
    embedded_worker: bool = True
    worker_batch_size: int = Field(default=300, gt=0, le=1000)
    worker_concurrency: int = Field(default=16, gt=0, le=256)
    worker_poll_seconds: float = Field(default=0.5, gt=0)
    worker_lease_seconds: int = Field(default=60, gt=0)
    # Scheduled jobs (releasing held rewards, reminders) run beside each worker; this is how often they look.
    jobs_poll_seconds: float = Field(default=15.0, gt=0)
    outbox_backoff_base_seconds: float = Field(default=10.0, gt=0)
    outbox_backoff_max_seconds: float = Field(default=3600.0, gt=0)

    # Manners: marketing messages per customer per week, and the local hours when none are sent.
    marketing_cap_per_week: int = Field(default=3, ge=0)
    quiet_hours_start: int = Field(default=21, ge=0, le=23)
    quiet_hours_end: int = Field(default=8, ge=0, le=23)

    # Email over SMTP; `smtp_security` is "starttls", "tls" (implicit, port 465) or "none" (local relays only).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_security: Literal["starttls", "tls", "none"] = "none"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Goodword <no-reply@localhost>"
    smtp_timeout_seconds: float = Field(default=15.0, gt=0)

    # SMS through a gateway: "twilio" (Twilio-compatible REST) or "webhook" (a signed JSON POST), or none.
    sms_gateway: Literal["none", "twilio", "webhook"] = "none"
    sms_url: str | None = None
    sms_account: str | None = None
    sms_token: str | None = None
    sms_from: str | None = None

    # Public referral links (`GET /r/{code}`), per client address per minute; unknown codes count far more
    # strictly, so guessing codes is slow. Benchmarks and tests raise them.
    referral_click_limit_per_minute: int = Field(default=120, gt=0)
    referral_unknown_code_limit_per_minute: int = Field(default=10, gt=0)

    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # An endpoint that has failed without a single success for this long is disabled and the store told.
    webhook_disable_after_hours: float = Field(default=72.0, gt=0)

    # Reviews: photos are kept under media_dir/<store_id>/; public writes are rate-limited per client address.
    media_dir: Path = DEFAULT_DATA_DIR / "media"
    review_photo_max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    review_photo_max_pixels: int = Field(default=40_000_000, gt=0)
    review_photos_per_review: int = Field(default=6, gt=0)
    question_limit_per_hour: int = Field(default=10, gt=0)  # per IP, and again per asker's email
    vote_limit_per_minute: int = Field(default=30, gt=0)
    review_submit_limit_per_hour: int = Field(default=30, gt=0)
    # Public review data for store pages (lists, summaries, JSON-LD, feeds): reads per minute per client address,
    # and how long an answer may be reused (Cache-Control max-age, and the in-process cache; 0 turns that off).
    public_reviews_reads_per_minute: int = Field(default=600, gt=0)
    public_reviews_cache_seconds: int = Field(default=60, ge=0)

    @field_validator("database_url")
    @classmethod
    def use_psycopg_driver(cls, url: str) -> str:
        """Accept the libpq-style `postgresql://` URL people paste; give SQLAlchemy the psycopg 3 driver."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @model_validator(mode="after")
    def refuse_placeholder_secret_in_production(self) -> Settings:
        if self.environment == "production" and self.secret_key == "dev-only-secret-change-me":  # noqa: S105
            raise ValueError("set GOODWORD_SECRET_KEY to a long random value before running in production")
        return self

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
