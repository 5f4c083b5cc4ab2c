"""Share links per channel, and QR codes for the channels shared by scanning (WeChat, QQ)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from goodword.errors import FieldIssue, InvalidInput
from goodword.messaging import share
from goodword.stores.inputs import Url
from goodword.web.deps import ReaderDep

router = APIRouter(tags=["share"])

_MEDIA_TYPES = {"png": "image/png", "svg": "image/svg+xml"}
_QR_CONTENT = {
    "image/png": {"schema": {"type": "string", "format": "binary"}},
    "image/svg+xml": {"schema": {"type": "string"}},
}


class ShareLinksIn(BaseModel):
    url: Url
    text: str = Field(default="", max_length=1000, pattern=r"^[^\x00]*$")
    subject: str | None = Field(default=None, max_length=200, pattern=r"^[^\x00]*$")


class QrOut(BaseModel):
    data: str = Field(description="What the QR code encodes: the URL tagged with this channel.")
    svg: str = Field(description="Path of the SVG image (send your API key).")
    png: str = Field(description="Path of the PNG image (send your API key).")


class ShareLinkOut(BaseModel):
    channel: share.ShareChannel
    url: str = Field(description=f"The shared URL, tagged `{share.CHANNEL_PARAMETER}=<channel>`.")
    text: str = Field(description="The text and the URL, to copy and paste.")
    link: str | None = Field(
        description="Opens the channel's share screen, prefilled; null where none exists."
    )
    qr: QrOut | None = Field(description="For channels shared by scanning a code (WeChat, QQ).")


class ShareLinksOut(BaseModel):
    links: list[ShareLinkOut]


@router.post("/share-links", response_model=ShareLinksOut)
def create_share_links(body: ShareLinksIn, caller: ReaderDep) -> ShareLinksOut:
    """Links that share `url` with `text` on each channel; nothing is stored, so a read key will do.

    Each link carries the channel in the query parameter `gw_ch` (e.g. `?gw_ch=whatsapp`), so a visit it
    brings can be attributed to the channel; the URL's other parameters are kept.
    """
    links = share.share_links(body.url, body.text, subject=body.subject)
    return ShareLinksOut(links=[_link_out(link) for link in links])


def _link_out(link: share.ShareLink) -> ShareLinkOut:
    qr = None
    if link.qr_data is not None:
        paths = {
            kind: f"/api/v1/qr?{urlencode({'data': link.qr_data, 'format': kind})}" for kind in _MEDIA_TYPES
        }
        qr = QrOut(data=link.qr_data, svg=paths["svg"], png=paths["png"])
    return ShareLinkOut(channel=link.channel, url=link.url, text=link.text, link=link.link, qr=qr)


@router.get("/qr", response_class=Response, responses={200: {"content": _QR_CONTENT}})
def qr_code(
    caller: ReaderDep,
    data: Annotated[str, Query(min_length=1, max_length=share.MAX_QR_DATA_CHARS)],
    format: Literal["svg", "png"] = "svg",
    scale: Annotated[int, Query(ge=1, le=share.MAX_QR_SCALE, description="Pixels per module.")] = 8,
) -> Response:
    """A QR code for `data`, as SVG or PNG."""
    render = share.qr_svg if format == "svg" else share.qr_png
    try:
        image = render(data, scale=scale)
    except ValueError as error:
        raise InvalidInput("the QR code cannot be made", [FieldIssue("data", str(error))]) from None
    return Response(
        image, media_type=_MEDIA_TYPES[format], headers={"Cache-Control": "private, max-age=86400"}
    )
