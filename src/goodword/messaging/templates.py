"""Email templates: Jinja2 files, an HTML and a plain-text one per kind and language, in the store's branding.

Adding a kind of email is adding files to `templates/` beside this module, nothing else:

    invitation.en.html, invitation.en.txt   required; English is also the fallback for any other locale
    invitation.zh.html, invitation.zh.txt   Chinese, chosen for every locale that starts with "zh"

Each file extends `_layout.html` or `_layout.txt` and fills `{% block body %}`; the plain-text file also fills
`{% block subject %}`, which becomes the subject line. Templates see `payload` (the message's JSON object; write
`payload["items"]` for a key that is also a dict method), `store` (a `Branding`), `lang` ("en" or "zh"),
`subject` (HTML only) and `unsubscribe_url` (set for marketing messages only; the layout's footer shows it).
HTML is autoescaped, so text a customer or merchant typed can never become markup.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, TemplateError, select_autoescape

from goodword.errors import GoodwordError, NotFound

TEMPLATE_DIR = Path(__file__).parent / "templates"
FALLBACK_LANGUAGE = "en"
NEUTRAL_COLOR = "#374151"
_KIND = re.compile(r"[a-z][a-z0-9_]{0,63}")
_HEX_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_MAX_SUBJECT = 250


@dataclass
class UnknownTemplate(NotFound):
    """No template files exist for this kind of message."""

    code: str = "unknown_template"


@dataclass
class TemplateFailed(GoodwordError):
    """The template could not be rendered, most often because the payload lacks a field it uses."""

    code: str = "template_failed"


@dataclass(frozen=True, slots=True)
class Branding:
    """The store as its emails show it. Colours and logos come from merchants, so both are checked here."""

    name: str
    logo_url: str | None = None
    brand_color: str | None = None

    @property
    def color(self) -> str:
        """The brand colour if it is a plain #RRGGBB, else a neutral grey: it goes into CSS unescaped."""
        if self.brand_color and _HEX_COLOR.fullmatch(self.brand_color):
            return self.brand_color.lower()
        return NEUTRAL_COLOR

    @property
    def text_color(self) -> str:
        """White or near-black, whichever reads better on the brand colour (WCAG relative luminance)."""
        red, green, blue = (int(self.color[i : i + 2], 16) / 255 for i in (1, 3, 5))

        def linear(channel: float) -> float:
            return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)
        return "#111827" if luminance > 0.4 else "#ffffff"

    @property
    def logo(self) -> str | None:
        """The logo URL if it is http(s); anything else (`javascript:`, `data:`) is dropped."""
        if self.logo_url and self.logo_url.lower().startswith(("https://", "http://")):
            return self.logo_url
        return None


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    html: str
    text: str


def language_of(locale: str | None) -> str:
    """The template language for a locale: "zh" for zh, zh-CN, zh-Hant-TW…; English for anything else.

    >>> language_of("zh-CN"), language_of("en-GB"), language_of(None)
    ('zh', 'en', 'en')
    """
    return "zh" if locale and locale.strip().lower().startswith("zh") else FALLBACK_LANGUAGE


def available_kinds() -> list[str]:
    """Every kind of email that has its English pair of files."""
    kinds = {path.name.split(".")[0] for path in TEMPLATE_DIR.glob("*.en.txt")}
    return sorted(kind for kind in kinds if (TEMPLATE_DIR / f"{kind}.en.html").is_file())


def render(
    kind: str,
    *,
    locale: str | None,
    payload: Mapping[str, Any],
    branding: Branding,
    unsubscribe_url: str | None = None,
) -> RenderedEmail:
    """Render one email in the language its locale asks for, falling back to English.

    Raises:
        UnknownTemplate: there are no files for `kind`.
        TemplateFailed: the payload lacks something the template uses, or the template is broken.
    """
    language = language_of(locale)
    text_template = _template(kind, language, "txt")
    html_template = _template(kind, language, "html")
    context: dict[str, Any] = {
        "payload": payload,
        "store": branding,
        "lang": language,
        "unsubscribe_url": unsubscribe_url,
    }
    try:
        subject = _subject(text_template, context)
        text = text_template.render(context)
        html = html_template.render(context | {"subject": subject})
    except TemplateError as error:
        raise TemplateFailed(f"the {kind!r} email could not be rendered: {error}") from None
    return RenderedEmail(subject=subject, html=html, text=text)


def _template(kind: str, language: str, extension: str) -> Template:
    if not _KIND.fullmatch(kind):
        raise UnknownTemplate(f"no email template {kind!r}; kinds are lower-case words")
    environment = _environment()
    for candidate in dict.fromkeys((language, FALLBACK_LANGUAGE)):
        name = f"{kind}.{candidate}.{extension}"
        if (TEMPLATE_DIR / name).is_file():
            return environment.get_template(name)
    raise UnknownTemplate(f"no email template {kind!r}; there are: {', '.join(available_kinds())}")


def _subject(template: Template, context: dict[str, Any]) -> str:
    block = template.blocks.get("subject")
    if block is None:
        raise TemplateFailed(f"{template.name} has no {{% block subject %}}")
    # One line, and not too long: a newline in a header would end it, and mail clients cut long subjects.
    subject = " ".join("".join(block(template.new_context(context))).split())
    return subject[:_MAX_SUBJECT]


@functools.cache
def _environment() -> Environment:
    """Built on first use, not at import; shared afterwards since Jinja environments are thread-safe to read."""
    return Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
