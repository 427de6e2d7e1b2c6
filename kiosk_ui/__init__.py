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


def _npm_dir(package: str) -> str | None:
    """The built files (`dist/`) of an npm package (`npm ci` in kiosk_ui/), if installed."""
    path = files(__package__).joinpath("node_modules", package, "dist")
    return str(path) if path.is_dir() else None


def zxing_dir() -> str | None:
    """ZXing's WebAssembly build: the camera's QR decoder."""
    return _npm_dir("zxing-wasm")


def chart_dirs() -> dict[str, str]:
    """The owner's charts: Chart.js and its matrix (heat map) chart, by the name each is
    served under (/ui/vendor/<name>/), the ones installed."""
    found = {"chartjs": _npm_dir("chart.js"), "chartjs-matrix": _npm_dir("chartjs-chart-matrix")}
    return {name: path for name, path in found.items() if path}
