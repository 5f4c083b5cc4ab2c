"""Store administration: `create-store`, `create-api-key`, `revoke-api-key`, `rotate-webhook-secret`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from goodword.cli.context import console, errors, load_settings, open_database
from goodword.cli.server import DatabaseOption
from goodword.errors import GoodwordError
from goodword.money import is_currency
from goodword.stores.api_keys import issue_api_key, revoke_api_key
from goodword.stores.models import ApiKeyScope
from goodword.stores.stores import create_store as create_store_record
from goodword.stores.stores import get_store, rotate_webhook_secret

StoreOption = Annotated[str, typer.Option("--store", help="The store id (st_…).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]


def register(app: typer.Typer) -> None:
    app.command("create-store")(create_store)
    app.command("create-api-key")(create_api_key)
    app.command("revoke-api-key")(revoke_key)
    app.command("rotate-webhook-secret")(rotate_secret)


def create_store(
    name: Annotated[str, typer.Option(help="The shop's name, as customers know it.")],
    currency: Annotated[str, typer.Option(help="Default ISO 4217 currency.")] = "USD",
    shop_url: Annotated[str | None, typer.Option(help="The shop's home page.")] = None,
    as_json: JsonFlag = False,
    database: DatabaseOption = None,
) -> None:
    """Create a store with a write API key and a webhook secret; both are shown once."""
    if not is_currency(currency):
        raise typer.BadParameter(f"{currency!r} is not an ISO 4217 code", param_hint="--currency")
    db = open_database(load_settings(database))
    with db.unit_of_work() as session:
        store = create_store_record(session, name=name, default_currency=currency, shop_url=shop_url)
        issued = issue_api_key(
            session, store_id=store.id, name="created with the store", scope=ApiKeyScope.WRITE
        )
        result = {"store_id": store.id, "api_key": issued.token, "webhook_secret": store.webhook_secret}
    db.dispose()
    if as_json:
        print(json.dumps(result))
        return
    console.print(f"Store [bold]{name}[/bold] created: {result['store_id']}")
    console.print(f"Write API key (shown once): [bold]{result['api_key']}[/bold]")
    console.print(f"Webhook secret: [bold]{result['webhook_secret']}[/bold]")


def create_api_key(
    store: StoreOption,
    scope: Annotated[ApiKeyScope, typer.Option(help="read or write.")] = ApiKeyScope.READ,
    name: Annotated[str, typer.Option(help="What the key is for.")] = "cli",
    as_json: JsonFlag = False,
    database: DatabaseOption = None,
) -> None:
    """Issue an API key for a store; it is shown once and stored hashed."""
    db = open_database(load_settings(database))
    try:
        with db.unit_of_work() as session:
            get_store(session, store_id=store)
            issued = issue_api_key(session, store_id=store, name=name, scope=scope)
            result = {"id": issued.api_key.id, "api_key": issued.token, "scope": scope.value}
    except GoodwordError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    if as_json:
        print(json.dumps(result))
    else:
        label = f"{scope.value.capitalize()} API key {result['id']}"
        console.print(f"{label} (shown once): [bold]{result['api_key']}[/bold]")


def revoke_key(
    store: StoreOption,
    key_id: Annotated[int, typer.Argument(help="The key's numeric id.")],
    database: DatabaseOption = None,
) -> None:
    """Revoke an API key; requests with it are refused from now on."""
    db = open_database(load_settings(database))
    try:
        with db.unit_of_work() as session:
            revoke_api_key(session, store_id=store, api_key_id=key_id)
    except GoodwordError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"API key {key_id} revoked.")


def rotate_secret(store: StoreOption, database: DatabaseOption = None) -> None:
    """Give the store a new webhook secret; events signed with the old one are refused from now on."""
    db = open_database(load_settings(database))
    try:
        with db.unit_of_work() as session:
            secret = rotate_webhook_secret(session, store_id=store).webhook_secret
    except GoodwordError as error:
        errors.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    finally:
        db.dispose()
    console.print(f"New webhook secret: [bold]{secret}[/bold]")
