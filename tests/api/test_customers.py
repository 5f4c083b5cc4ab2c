"""Customers: upsert by external id, batches that are all or nothing, reads and filtered lists."""

from fastapi.testclient import TestClient

from tests.factories.stores import StoreAccess, customer_payload


def test_a_new_customer_is_created_with_201_and_normalized_fields(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    payload = customer_payload(email="  Ann@Example.COM ", phone="+44 20 7946 0958", locale="zh_CN")
    # when
    response = client.post("/api/v1/customers", json=payload, headers=store.writer)
    # then
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["external_id"] == payload["external_id"]
    assert body["email"] == "ann@example.com"
    assert body["phone"] == "+442079460958"
    assert body["locale"] == "zh-CN"
    assert body["erased_at"] is None


def test_upserting_a_changed_customer_answers_200_with_the_new_fields(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    payload = customer_payload()
    client.post("/api/v1/customers", json=payload, headers=store.writer)
    # when
    response = client.post("/api/v1/customers", json={**payload, "name": "Ann Lee"}, headers=store.writer)
    # then
    assert response.status_code == 200, response.text
    assert response.json()["name"] == "Ann Lee"
    read = client.get(f"/api/v1/customers/{payload['external_id']}", headers=store.reader).json()
    assert read["name"] == "Ann Lee"


def test_an_unchanged_upsert_changes_nothing_not_even_updated_at(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    payload = customer_payload()
    first = client.post("/api/v1/customers", json=payload, headers=store.writer).json()
    # when
    again = client.post("/api/v1/customers", json=payload, headers=store.writer)
    # then
    assert again.status_code == 200
    assert again.json() == first
    assert again.json()["updated_at"] == first["updated_at"]


def test_a_batch_reports_what_it_created_updated_and_left_alone(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    kept, changed = customer_payload(), customer_payload()
    client.post("/api/v1/customers/batch", json={"items": [kept, changed]}, headers=store.writer)
    new = customer_payload()
    # when
    response = client.post(
        "/api/v1/customers/batch",
        json={"items": [kept, {**changed, "name": "Renamed"}, new]},
        headers=store.writer,
    )
    # then
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"]) == (1, 1, 1)
    assert [r["status"] for r in body["results"]] == ["unchanged", "updated", "created"]


def test_a_batch_with_one_bad_item_stores_nothing_and_names_the_item(
    client: TestClient, store: StoreAccess
) -> None:
    # given
    items = [customer_payload(), customer_payload(), customer_payload(email="not an email")]
    # when
    response = client.post("/api/v1/customers/batch", json={"items": items}, headers=store.writer)
    # then
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items.2.email"]
    assert client.get("/api/v1/customers", headers=store.reader).json()["data"] == []


def test_a_batch_that_names_one_customer_twice_is_refused(client: TestClient, store: StoreAccess) -> None:
    # given
    twin = customer_payload()
    # when
    response = client.post(
        "/api/v1/customers/batch", json={"items": [twin, customer_payload(), twin]}, headers=store.writer
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items.2.external_id"
    assert response.json()["errors"][0]["code"] == "duplicate"


def test_an_empty_batch_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.post("/api/v1/customers/batch", json={"items": []}, headers=store.writer)
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "items"


def test_an_unknown_customer_is_404(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get("/api/v1/customers/nobody", headers=store.reader)
    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_customers_can_be_listed_by_email_and_consent(client: TestClient, store: StoreAccess) -> None:
    # given
    ann = customer_payload(email="ann@example.com", marketing_consent=True)
    bob = customer_payload(email="bob@example.com", marketing_consent=False)
    client.post("/api/v1/customers/batch", json={"items": [ann, bob]}, headers=store.writer)
    # when
    by_email = client.get("/api/v1/customers", params={"email": "ANN@example.com"}, headers=store.reader)
    opted_out = client.get("/api/v1/customers", params={"marketing_consent": "false"}, headers=store.reader)
    # then
    assert [c["external_id"] for c in by_email.json()["data"]] == [ann["external_id"]]
    assert [c["external_id"] for c in opted_out.json()["data"]] == [bob["external_id"]]


def test_customers_can_be_listed_by_when_they_joined(client: TestClient, store: StoreAccess) -> None:
    # given
    early = customer_payload(created_at="2025-01-01T00:00:00Z")
    late = customer_payload(created_at="2025-06-01T00:00:00+02:00")
    client.post("/api/v1/customers/batch", json={"items": [early, late]}, headers=store.writer)
    # when
    after = client.get(
        "/api/v1/customers", params={"created_after": "2025-03-01T00:00:00Z"}, headers=store.reader
    )
    before = client.get(
        "/api/v1/customers", params={"created_before": "2025-03-01T00:00:00Z"}, headers=store.reader
    )
    # then
    assert [c["external_id"] for c in after.json()["data"]] == [late["external_id"]]
    assert [c["external_id"] for c in before.json()["data"]] == [early["external_id"]]


def test_a_naive_datetime_filter_is_refused(client: TestClient, store: StoreAccess) -> None:
    # when
    response = client.get(
        "/api/v1/customers", params={"created_after": "2025-03-01T00:00:00"}, headers=store.reader
    )
    # then
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.created_after"
