"""A campaign's message for one recipient: its template in their language, placeholders filled.

Placeholders are written `{{name}}`; the known ones are `PLACEHOLDERS`. A template naming
another one is refused when it is saved (`unknown_placeholders`), so a recipient never
gets a message with a `{{...}}` left in it. In the HTML version every value is escaped.
"""

import html
import re
from dataclasses import dataclass

from kiosk_server.campaigns.models import Campaign
from kiosk_server.core.types import Language
from kiosk_server.customers import contact

PLACEHOLDERS = ("name", "tier", "points", "coupon", "coupon_expires", "coupon_link",
                "card_link", "unsubscribe_link")
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")


@dataclass(frozen=True)
class Values:
    """What one recipient's placeholders become (already formatted in their language)."""

    name: str
    tier: str
    points: str
    card_link: str
    unsubscribe_link: str
    coupon: str = ""  # the coupon's benefit; empty without a coupon
    coupon_expires: str = ""
    coupon_link: str = ""

    def get(self, placeholder: str) -> str:
        return str(getattr(self, placeholder))


def unknown_placeholders(template: str) -> list[str]:
    """The placeholders `template` names that Kiosk does not know, in order, once each."""
    seen: list[str] = []
    for match in _PLACEHOLDER.finditer(template):
        name = match.group(1)
        if name not in PLACEHOLDERS and name not in seen:
            seen.append(name)
    return seen


def fill(template: str, values: Values, *, escape: bool = False) -> str:
    """`template` with each known placeholder replaced (escaped for HTML when `escape`)."""
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in PLACEHOLDERS:
            return match.group(0)
        text = values.get(name)
        return html.escape(text) if escape else text

    return _PLACEHOLDER.sub(value, template)


def named(template: str) -> set[str]:
    """The placeholders `template` names."""
    return {match.group(1) for match in _PLACEHOLDER.finditer(template)}


def chosen(campaign: Campaign, language: Language) -> tuple[str, str, str]:
    """The subject, text and HTML templates a recipient gets: those of their language
    (Vietnamese when the English subject or text is empty)."""
    if language is Language.EN and campaign.subject_en and campaign.text_en:
        return campaign.subject_en, campaign.text_en, campaign.html_en
    return campaign.subject_vi, campaign.text_vi, campaign.html_vi


def render(campaign: Campaign, language: Language, values: Values) -> contact.Content:
    """The message one recipient gets: the templates `chosen` for them, filled."""
    subject, text, body_html = chosen(campaign, language)
    return contact.Content(
        subject=" ".join(fill(subject, values).split()),  # no line break in a header
        text=fill(text, values),
        html=fill(body_html, values, escape=True) if body_html else "")
