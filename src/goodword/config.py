"""Settings, read once from the environment at start-up and passed down; never a module global."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
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

    @field_validator("database_url")
    @classmethod
    def use_psycopg_driver(cls, url: str) -> str:
        """Accept the libpq-style `postgresql://` URL people paste; give SQLAlchemy the psycopg 3 driver."""
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url.removeprefix(prefix)
        return url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")
