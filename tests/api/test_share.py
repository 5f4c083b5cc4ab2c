"""Share links per channel and QR codes: computed, never stored, so a read key will do."""

from fastapi.testclient import TestClient

from tests.api.assertions import assert_problem
from tests.factories.stores import StoreAccess


def test_share_links_come_for_every_channel(client: TestClient, store: StoreAccess) -> None:
    response = client.post(
        "/api/v1/share-links",
        json={"url": "https://shop.example.com/r/AB12", "text": "快来看看"},
        headers=store.reader,
    )
    assert response.status_code == 200, response.text
    links = {link["channel"]: link for link in response.json()["links"]}
    assert links["whatsapp"]["link"].startswith("https://wa.me/?text=%E5%BF%AB")
    assert links["wechat"]["link"] is None
    assert links["wechat"]["qr"]["data"] == "https://shop.example.com/r/AB12?gw_ch=wechat"
    # the QR path it gives serves the image
    image = client.get(links["wechat"]["qr"]["png"], headers=store.reader)
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


def test_share_links_refuse_a_url_that_is_not_http(client: TestClient, store: StoreAccess) -> None:
    response = client.post("/api/v1/share-links", json={"url": "javascript:alert(1)"}, headers=store.reader)
    assert_problem(response, 422, "invalid_input")


def test_a_qr_code_is_served_as_svg_by_default(client: TestClient, store: StoreAccess) -> None:
    response = client.get("/api/v1/qr", params={"data": "https://shop.example.com"}, headers=store.reader)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in response.content


def test_a_qr_code_refuses_too_much_data(client: TestClient, store: StoreAccess) -> None:
    too_long = client.get("/api/v1/qr", params={"data": "x" * 1001}, headers=store.reader)
    assert_problem(too_long, 422, "invalid_input")
    too_dense = client.get("/api/v1/qr", params={"data": "你" * 900}, headers=store.reader)
    assert_problem(too_dense, 422, "invalid_input")
    assert_problem(client.get("/api/v1/qr", params={"data": "x"}), 401, "missing_api_key")
