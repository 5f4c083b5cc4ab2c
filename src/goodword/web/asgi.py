"""The application built from the environment, for servers that start it by import string in each process.

`goodword serve --processes N` hands uvicorn `goodword.web.asgi:app_from_environment` as a factory; each
worker process then builds its own settings, engine and pool, as processes must.
"""

from __future__ import annotations

from fastapi import FastAPI

from goodword.config import Settings
from goodword.logs import configure_logging
from goodword.web.app import create_app


def app_from_environment() -> FastAPI:
    settings = Settings()
    configure_logging(log_format=settings.log_format, level=settings.log_level)
    return create_app(settings)
