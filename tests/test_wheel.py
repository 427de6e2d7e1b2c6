"""The built wheel, installed without the source tree: `kiosk demo` migrates and `kiosk
serve` serves every page, every file the pages load, and the camera's QR decoder."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import venv
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from kiosk_ui import zxing_dir
from tests.conftest import free_port

ROOT = Path(__file__).resolve().parents[1]
PAGES = ["/", "/admin", "/kiosk", "/monitor?event=1", "/checkout", "/me"]
DECODER = ["/ui/vendor/zxing/es/reader/index.js", "/ui/vendor/zxing/reader/zxing_reader.wasm"]
# The owner's charts load these on first use (charts.js), by absolute path.
CHART_LIBRARIES = ["/ui/vendor/chartjs/chart.umd.min.js",
                   "/ui/vendor/chartjs-matrix/chartjs-chart-matrix.min.js"]
# At the top of the tree, build outputs and local state: not what a wheel is built from.
NOT_SOURCES = {".git", ".venv", "kiosk-data", "test-artifacts", "build", "dist", "kiosk.egg-info",
               ".pytest_cache", ".ruff_cache", ".mypy_cache", ".hypothesis", "tests", "bench"}


def _not_sources(folder: str, names: list[str]) -> set[str]:
    return {name for name in names if name == "__pycache__"
            or (Path(folder) == ROOT and name in NOT_SOURCES)}

pytestmark = pytest.mark.wheel


def _outside_env(**extra: str) -> dict[str, str]:
    """This environment without what points into the source tree or at a test's server."""
    return {key: value for key, value in os.environ.items()
            if not key.startswith("KIOSK_") and key not in ("PYTHONPATH", "VIRTUAL_ENV")} | extra


def _build_wheel(source: Path, out: Path) -> Path:
    """`pip wheel` as a packager runs it; its build backend comes from the package index."""
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                            "--wheel-dir", str(out), str(source)], env=_outside_env(),
                           capture_output=True, text=True, timeout=300)
    offline = (r"(?i)could not find a version that satisfies the requirement setuptools|"
               r"NewConnectionError|name resolution|Network is unreachable")
    if built.returncode != 0 and re.search(offline, built.stdout + built.stderr):
        pytest.skip(f"the build backend could not be downloaded: {built.stderr[-300:]}")
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = out.glob("kiosk-*.whl")
    return wheel


def _fresh_venv(path: Path, wheel: Path) -> Path:
    """A new venv with only the wheel installed in it; the packages it depends on are this
    test run's own (their directory on its path, after the venv's own), so nothing else
    is downloaded."""
    venv.create(path, with_pip=False)
    python = path / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig."
                              "get_paths()['purelib'])"], capture_output=True, text=True,
                             check=True).stdout.strip()
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--quiet", str(wheel)], env=_outside_env(), check=True,
                   timeout=120)
    # After the install: pip would take this run's own (editable) kiosk for the wheel.
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return path / "bin"


class _Links(HTMLParser):
    """The same-site files a page loads: scripts, styles, icons, the manifest."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value and value.startswith("/"):
                self.links.append(value)


# import ... from "./x.js", import("./x.js"), export ... from "../x.js"
_IMPORTS = re.compile(r"""(?:from|import)\s*\(?\s*["'](\.{1,2}/[^"']+)["']""")


def _fetch_everything(http: httpx.Client, paths: list[str]) -> list[str]:
    """Fetch each path, and every file the pages and their scripts load, once; returns
    what was fetched. Fails on any answer but 200."""
    queue, seen = list(paths), []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.append(path)
        answer = http.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
        kind = answer.headers["content-type"]
        if kind.startswith("text/html"):
            parser = _Links()
            parser.feed(answer.text)
            queue += parser.links
        elif "javascript" in kind:
            queue += [urljoin(path, found) for found in _IMPORTS.findall(answer.text)]
    return seen


def _wait_until_up(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            httpx.get(f"{base}/healthz").raise_for_status()
            return
        except httpx.HTTPError:
            assert server.poll() is None, "the server stopped"
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)


@pytest.mark.skipif(zxing_dir() is None,
                    reason="the wheel carries the pages' npm packages: run npm ci in kiosk_ui/")
def test_the_installed_wheel_migrates_and_serves_every_page(tmp_path):
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=_not_sources)  # node_modules' link followed
    bin_dir = _fresh_venv(tmp_path / "venv", _build_wheel(source, tmp_path / "dist"))
    shutil.rmtree(source)  # the installed package must need nothing from it
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = _outside_env(KIOSK_DATA_DIR=str(elsewhere / "data"), PYTHONDONTWRITEBYTECODE="1")

    def run(*args: str) -> str:
        done = subprocess.run([str(bin_dir / "kiosk"), *args], cwd=elsewhere, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    where = subprocess.run([str(bin_dir / "python"), "-c", "import kiosk_server, kiosk_ui; "
                            "print(kiosk_server.__file__, kiosk_ui.__file__)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True)
    assert all(path.startswith(str(tmp_path / "venv")) for path in where.stdout.split())

    card = re.search(r"A member card:\s+(\S+)", run("demo")).group(1)
    port = free_port()
    server = subprocess.Popen([str(bin_dir / "kiosk"), "serve", "--port", str(port),
                               "--no-access-log"], cwd=elsewhere, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(base, server)
        with httpx.Client(base_url=base, timeout=30) as http:
            fetched = _fetch_everything(http, [*PAGES, f"/c/{card}", *DECODER,
                                                   *CHART_LIBRARIES])
            wasm = http.get(DECODER[1])
            assert wasm.content[:4] == b"\0asm"
            assert wasm.headers["content-type"] == "application/wasm"
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert {"/ui/kiosk.js", "/ui/scanner.js", "/ui/admin/app.js", "/ui/checkout/app.js",
            "/ui/me/app.js", "/ui/me/sections.js",
            "/ui/vendor/zxing/es/share.js"} <= set(fetched)
