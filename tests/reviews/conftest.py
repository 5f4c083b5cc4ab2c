from tests.messaging.conftest import outbox_database  # noqa: F401 - the journey commits for real
