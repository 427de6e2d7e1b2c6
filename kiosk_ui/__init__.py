"""The browser pages the server serves: HTML, scripts and styles, no server code.

Pages never load anything from another host: kiosks run on closed venue networks.
"""

import html
from importlib.resources import files


def page(name: str, **values: str) -> str:
    """The text of `pages/<name>`, each `{key}` replaced by its value, HTML-escaped."""
    text = files(__package__).joinpath("pages", name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{" + key + "}", html.escape(value))
    return text


def static_dir() -> str:
    """The folder of the pages' scripts, styles and images, served under /ui."""
    return str(files(__package__).joinpath("static"))


def zxing_dir() -> str | None:
    """ZXing's WebAssembly build from npm (`npm ci` in kiosk_ui/), if installed."""
    path = files(__package__).joinpath("node_modules", "zxing-wasm", "dist")
    return str(path) if path.is_dir() else None
