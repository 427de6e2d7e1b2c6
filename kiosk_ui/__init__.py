"""The browser pages the server serves: HTML, scripts and styles, no server code.

Pages never load anything from another host: kiosks run on closed venue networks.
"""

from importlib.resources import files


def page(name: str) -> str:
    """The text of `pages/<name>`."""
    return files(__package__).joinpath("pages", name).read_text(encoding="utf-8")


def static_dir() -> str:
    """The folder of the pages' scripts, styles and images, served under /ui."""
    return str(files(__package__).joinpath("static"))
