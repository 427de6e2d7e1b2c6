"""The badge tests' fixture: sample images saved for people to look at."""

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def artifact() -> Iterator[Callable[[Image.Image, str], Path]]:
    """Saves a sample under test-artifacts/badges-<name>.png (kept by CI) for people to
    look at."""
    ARTIFACTS.mkdir(exist_ok=True)

    def save(image: Image.Image, name: str) -> Path:
        path = ARTIFACTS / f"badges-{name}.png"
        image.save(path)
        return path

    yield save
