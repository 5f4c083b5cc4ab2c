import pytest

from goodword.config import Settings


@pytest.mark.parametrize("url", ["postgresql://u@h/db", "postgres://u@h/db"])
def test_libpq_urls_get_the_psycopg_driver(url: str) -> None:
    assert Settings(database_url=url).database_url == "postgresql+psycopg://u@h/db"


def test_the_default_database_is_an_sqlite_file_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GOODWORD_DATABASE_URL", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///var/goodword.db"
    assert settings.is_sqlite
