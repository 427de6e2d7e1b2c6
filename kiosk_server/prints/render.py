"""What a batch's own process runs: the `badges` layouts over an event's guests, into one
file. Imports nothing of the server, so the process starts light."""

import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from badges import export, layouts
from badges.brand import Brand


@dataclass(frozen=True)
class Guest:
    """One guest of a batch: whose badge or invitation, and the code it carries."""

    token: str
    name: str
    vip: bool = False


@dataclass(frozen=True)
class Batch:
    kind: str  # an ExportKind value
    guests: tuple[Guest, ...]
    event_name: str
    when: str  # the event's date and time, as people read them
    venue: str
    brand: Brand
    path: str  # where the file goes (written whole, then moved into place)
    language: str = "vi"


# kind -> (what each guest gets, how they are put together)
_OUTPUTS: dict[str, tuple[str, export.Output]] = {
    "badges_pdf": ("badge", "pdf"),
    "badge_sheets_pdf": ("badge", "a4-pdf"),
    "badges_zip": ("badge", "zip"),
    "invitations_pdf": ("invitation", "pdf"),
    "invitations_zip": ("invitation", "zip"),
}


def labels(language: str) -> layouts.Labels:
    return layouts.EN if language == "en" else layouts.VI


def badge(guest: Guest, *, event_name: str, brand: Brand, language: str,
          layered: bool = False):
    """The guest's A6 badge; `layered`: as the event's shared template plus the guest's
    pieces, which a PDF of hundreds of badges stores far faster and smaller."""
    layout = layouts.event_badge_layers if layered else layouts.event_badge
    return layout(token=guest.token, name=guest.name, event_name=event_name,
                  ribbon="VIP" if guest.vip else None, brand=brand, labels=labels(language))


def invitation(guest: Guest, *, event_name: str, when: str, venue: str, brand: Brand,
               language: str, email: bool = False):
    """For a phone (1080 x 1920), or `email`: 600 px wide."""
    layout = layouts.invitation_email if email else layouts.invitation_phone
    return layout(token=guest.token, guest_name=guest.name, event_name=event_name, when=when,
                  venue=venue, brand=brand, labels=labels(language))


def file_name(index: int, guest: Guest) -> str:
    safe = "".join(ch if ch.isalnum() else "-" for ch in guest.name).strip("-")[:60]
    return f"{index + 1:04d}-{safe or 'guest'}.png"


def render_batch(batch: Batch, messages: Any) -> None:
    """Render `batch` into its file, telling `messages` (a queue) ("progress", done),
    then ("done", total) or ("failed", why)."""
    try:
        each, output = _OUTPUTS[batch.kind]
        if each == "badge":
            render = partial(badge, event_name=batch.event_name, brand=batch.brand,
                             language=batch.language, layered=output != "zip")
        else:
            render = partial(invitation, event_name=batch.event_name, when=batch.when,
                             venue=batch.venue, brand=batch.brand, language=batch.language)
        data = export.render_batch(
            batch.guests, render, output=output, name=file_name, title=batch.event_name,
            progress=lambda done, _total: messages.put(("progress", done)),
        )
        partial_path = Path(batch.path + ".part")
        partial_path.write_bytes(data)
        os.replace(partial_path, batch.path)
        messages.put(("done", len(batch.guests)))
    except Exception as exc:
        messages.put(("failed", f"{exc.__class__.__name__}: {exc}"[:500]))
