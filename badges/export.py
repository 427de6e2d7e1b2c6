"""Files from layouts: PNG bytes, a multi-page PDF, a ZIP of PNGs, and batches of them.

Tuned for speed over size (the server renders hundreds at a time):

- PNG: zlib level 1. Layouts are palette images, which PNG stores without row filters.
- PDF: written page by page with Pillow's PDF writer objects (`PIL.PdfParser`), so a
  500-page document never holds 500 images in memory (`Image.save(..., save_all=True)`
  needs them all at once, and writes palette images as ASCII hex). A page is an image
  or a `layouts.Layered` one: then the shared template is stored once in the document
  and each page only adds its own pieces (name, QR) over it: a 500-badge PDF
  compresses a sixth of the pixels and is a third of the size. Palette images are
  stored as they are, /Indexed colour, Flate (level 1, run-length): lossless, so the
  QR modules and the text stay sharp; other images as JPEG (quality 92). A page is
  the layout's paper size (`Layered.mm`, or the image's `info["dpi"]`: an A6 badge is
  297.64 x 419.53 pt, a card 242.65 x 153.07 pt), else its pixel size at `dpi`, so it
  prints at its real size. Compression (zlib and libjpeg release the GIL) runs on
  worker threads while the calling thread renders the next pages.
- ZIP: PNGs are compressed already, so they are stored.
"""

from __future__ import annotations

import base64
import io
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import BinaryIO, Generic, Literal, TypeVar

from PIL import Image, PdfParser

from .layouts import DPI, Layered, Part, a4_sheet_layers

T = TypeVar("T")
R = TypeVar("R")
Page = Image.Image | Layered
Progress = Callable[[int, int], None]
Output = Literal["pdf", "a4-pdf", "zip"]

PNG_COMPRESS_LEVEL = 1
PDF_FLATE_LEVEL = 1
PDF_JPEG_QUALITY = 92
THREADS = 2
PER_SHEET = 4


def flat(page: Page) -> Image.Image:
    """The page as one image."""
    return page.flatten() if isinstance(page, Layered) else page


def png_data_url(png: bytes) -> str:
    """A PNG as a `data:` URL, for a page to show it inline."""
    return "data:image/png;base64," + base64.b64encode(png).decode()


def png_bytes(image: Page, *, dpi: float | None = None) -> bytes:
    """The image as a PNG file (compress level 1). Its physical size (pHYs) is `dpi` if
    given, else the layout's own (`image.info["dpi"]`), else none."""
    image = flat(image)
    buffer = io.BytesIO()
    options: dict[str, object] = {"compress_level": PNG_COMPRESS_LEVEL}
    resolution = (dpi, dpi) if dpi else image.info.get("dpi")
    if resolution:
        options["dpi"] = resolution
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


# --------------------------------------------------------------------------- PDF

@dataclass(frozen=True)
class _PdfImage:
    width: int
    height: int
    stream: bytes
    filter: str
    colour_space: str  # DeviceRGB, DeviceGray, or Indexed (then `palette`)
    palette: bytes = b""


def _flate(data: bytes) -> bytes:
    """Deflate, level 1, run-length matches only (Z_RLE): on layouts (long runs of one
    palette index) it is faster than the default strategy and smaller too."""
    compressor = zlib.compressobj(PDF_FLATE_LEVEL, zlib.DEFLATED, 15, 9, zlib.Z_RLE)
    return compressor.compress(data) + compressor.flush()


def _pdf_image(image: Image.Image) -> _PdfImage:
    """One image as a PDF image XObject's data (runs on a worker thread)."""
    if image.mode == "P" and "transparency" not in image.info:
        return _PdfImage(image.width, image.height, _flate(image.tobytes()), "FlateDecode",
                         "Indexed", bytes(image.getpalette("RGB") or b"\0\0\0"))
    if image.mode in ("1", "L"):
        return _PdfImage(image.width, image.height, _flate(image.convert("L").tobytes()),
                         "FlateDecode", "DeviceGray")
    if image.mode != "RGB":
        flat_rgb = Image.new("RGB", image.size, (255, 255, 255))
        rgba = image.convert("RGBA")
        flat_rgb.paste(rgba, (0, 0), rgba)
        image = flat_rgb
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=PDF_JPEG_QUALITY)
    return _PdfImage(image.width, image.height, buffer.getvalue(), "DCTDecode", "DeviceRGB")


class _Done(Generic[R]):
    """A computed value that looks like a finished Future (the single-thread path)."""

    def __init__(self, value: R) -> None:
        self.value = value

    def result(self) -> R:
        return self.value

    def cancel(self) -> bool:
        return False


# A part's encoded image: the key of a shared one (in `_PdfWriter.shared`), or its own.
_Job = int | Future[_PdfImage] | _Done[_PdfImage]


class _PdfWriter:
    """Pages out to `fp` in order; images encoded by a thread pool, shared ones once."""

    def __init__(self, fp: BinaryIO, *, dpi: float, title: str | None, threads: int) -> None:
        self.fp = fp
        self.dpi = dpi
        self.title = title
        self.pool = ThreadPoolExecutor(threads, "badges-pdf") if threads > 1 else None
        self.window = max(2, threads * 4)  # pages in flight
        self.pending: deque[tuple[tuple[float, float], tuple[int, int],
                                  list[tuple[Part, _Job]], int]] = deque()
        self.shared: dict[int, tuple[Image.Image, Future[_PdfImage] | _Done[_PdfImage]]] = {}
        self.shared_refs: dict[int, PdfParser.IndirectReference] = {}
        self.colour_spaces: dict[bytes, PdfParser.IndirectReference] = {}
        self.pdf = PdfParser.PdfParser(f=fp, mode="w+b")
        self.pdf.start_writing()
        self.pdf.write_header()
        self.pdf.write_comment("created by Pillow PDF driver")
        self.pdf.pages_ref = self.pdf.next_object_id(0)

    def _submit(self, image: Image.Image) -> Future[_PdfImage] | _Done[_PdfImage]:
        if self.pool is None:
            return _Done(_pdf_image(image))
        return self.pool.submit(_pdf_image, image)

    def add(self, page: Page, count: int) -> Iterator[int]:
        """Queue a page; yields the counts of the pages written meanwhile."""
        if isinstance(page, Layered):
            parts, dpi = page.parts, page.dpi
        else:
            parts, dpi = (Part((0, 0), page),), page.info.get("dpi")
        x_dpi, y_dpi = dpi if dpi else (self.dpi, self.dpi)
        scale = (72.0 / x_dpi, 72.0 / y_dpi)
        jobs: list[tuple[Part, _Job]] = []
        for part in parts:
            if part.shared:
                key = id(part.image)
                if key not in self.shared:  # the image is kept, so its id stays its own
                    self.shared[key] = (part.image, self._submit(part.image))
                jobs.append((part, key))
            else:
                jobs.append((part, self._submit(part.image)))
        self.pending.append((scale, page.size, jobs, count))
        while len(self.pending) > self.window:
            yield self._write_page(*self.pending.popleft())

    def flush(self) -> Iterator[int]:
        while self.pending:
            yield self._write_page(*self.pending.popleft())

    def _image_ref(self, encoded: _PdfImage) -> PdfParser.IndirectReference:
        space: PdfParser.IndirectReference | PdfParser.PdfName | None
        if encoded.colour_space == "Indexed":
            space = self.colour_spaces.get(encoded.palette)
            if space is None:
                space = self.pdf.write_obj(None, PdfParser.PdfArray([
                    PdfParser.PdfName("Indexed"), PdfParser.PdfName("DeviceRGB"),
                    len(encoded.palette) // 3 - 1, PdfParser.PdfBinary(encoded.palette)]))
                self.colour_spaces[encoded.palette] = space
        else:
            space = PdfParser.PdfName(encoded.colour_space)
        return self.pdf.write_obj(None, stream=encoded.stream,
                                  Type=PdfParser.PdfName("XObject"),
                                  Subtype=PdfParser.PdfName("Image"),
                                  Width=encoded.width, Height=encoded.height,
                                  ColorSpace=space, BitsPerComponent=8,
                                  Filter=PdfParser.PdfName(encoded.filter))

    def _write_page(self, scale: tuple[float, float], size: tuple[int, int],
                    jobs: list[tuple[Part, _Job]], count: int) -> int:
        page_width, page_height = size[0] * scale[0], size[1] * scale[1]
        xobjects: dict[str, PdfParser.IndirectReference] = {}
        content: list[bytes] = []
        for number, (part, job) in enumerate(jobs):
            if isinstance(job, int):
                ref = self.shared_refs.get(job)
                if ref is None:
                    ref = self._image_ref(self.shared[job][1].result())
                    self.shared_refs[job] = ref
            else:
                ref = self._image_ref(job.result())
            name = f"I{number}"
            xobjects[name] = ref
            width, height = part.image.width * scale[0], part.image.height * scale[1]
            x, y = part.xy[0] * scale[0], page_height - part.xy[1] * scale[1] - height
            width, height, x, y = (round(v, 4) + 0.0 for v in (width, height, x, y))  # no "-0.0000"
            content.append(b"q %.4f 0 0 %.4f %.4f %.4f cm /%s Do Q" % (width, height, x, y,
                                                                       name.encode()))
        contents_ref = self.pdf.write_obj(None, stream=b"\n".join(content) + b"\n")
        self.pdf.pages.append(self.pdf.write_page(
            None,
            Resources=PdfParser.PdfDict(
                ProcSet=[PdfParser.PdfName(n) for n in ("PDF", "ImageB", "ImageC", "ImageI")],
                XObject=PdfParser.PdfDict(xobjects)),
            MediaBox=[0, 0, round(page_width, 4), round(page_height, 4)],
            Contents=contents_ref))
        return count

    def finish(self) -> int:
        pdf = self.pdf
        if not pdf.pages:
            raise ValueError("a PDF needs at least one page")
        root_ref = pdf.next_object_id(self.fp.tell())
        pdf.write_obj(root_ref, Type=PdfParser.PdfName("Catalog"), Pages=pdf.pages_ref)
        pdf.write_obj(pdf.pages_ref, Type=PdfParser.PdfName("Pages"), Count=len(pdf.pages),
                      Kids=pdf.pages)
        pdf.root_ref = root_ref
        if self.title:
            pdf.info.Title = self.title
        pdf.write_xref_and_trailer()
        return len(pdf.pages)

    def close(self) -> None:
        for _, _, jobs, _ in self.pending:
            for _, job in jobs:
                if not isinstance(job, int):
                    job.cancel()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _write_pdf(units: Iterable[tuple[Page, int]], fp: BinaryIO, *, dpi: float,
               title: str | None, on_page: Callable[[int], None] | None,
               threads: int) -> int:
    writer = _PdfWriter(fp, dpi=dpi, title=title, threads=threads)
    try:
        for page, count in units:
            for written in writer.add(page, count):
                if on_page is not None:
                    on_page(written)
        for written in writer.flush():
            if on_page is not None:
                on_page(written)
        return writer.finish()
    finally:
        writer.close()


def write_pdf(pages: Iterable[Page], fp: BinaryIO, *, dpi: float = DPI,
              title: str | None = None, threads: int = THREADS) -> int:
    """Write one page per image (or `Layered` image) to `fp` (a binary file open for
    writing, or BytesIO); each page is the layout's paper size, or the image's size at
    `dpi` if it has none. Returns the number of pages."""
    return _write_pdf(((page, 1) for page in pages), fp, dpi=dpi, title=title,
                      on_page=None, threads=threads)


def pdf_bytes(pages: Iterable[Page], *, dpi: float = DPI, title: str | None = None,
              threads: int = THREADS) -> bytes:
    """A PDF with one page per image (or `Layered` image), each the layout's paper size,
    or the image's size at `dpi` if it has none."""
    buffer = io.BytesIO()
    write_pdf(pages, buffer, dpi=dpi, title=title, threads=threads)
    return buffer.getvalue()


def _in_order(units: Iterable[tuple[Page, R]], encode: Callable[[Page], T],
              threads: int) -> Iterator[tuple[T, R]]:
    """`encode` each page on `threads` worker threads while the caller's thread renders
    the next ones (a few in flight, so memory stays bounded); results in input order,
    each with the value that came with its page."""
    if threads <= 1:
        for page, extra in units:
            yield encode(page), extra
        return
    pending: deque[tuple[Future[T], R]] = deque()
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="badges") as pool:
        try:
            for page, extra in units:
                pending.append((pool.submit(encode, page), extra))
                while len(pending) > threads * 2:
                    future, value = pending.popleft()
                    yield future.result(), value
            while pending:
                future, value = pending.popleft()
                yield future.result(), value
        finally:
            for future, _ in pending:
                future.cancel()


# --------------------------------------------------------------------------- ZIP

def _write_zip(named: Iterable[tuple[tuple[str, Page], int]], fp: BinaryIO, *,
               dpi: float | None, on_file: Callable[[int], None] | None,
               threads: int) -> int:
    files = 0
    seen: set[str] = set()
    units = ((page, (name, count)) for (name, page), count in named)
    with zipfile.ZipFile(fp, "w", zipfile.ZIP_STORED) as archive:
        for png, (name, count) in _in_order(units, lambda page: png_bytes(page, dpi=dpi),
                                            threads):
            if name in seen:
                raise ValueError(f"two files named {name!r}")
            seen.add(name)
            archive.writestr(zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0)), png)
            files += 1
            if on_file is not None:
                on_file(count)
    return files


def zip_bytes(named_images: Iterable[tuple[str, Page]], *, dpi: float | None = None,
              threads: int = THREADS) -> bytes:
    """A ZIP of PNG files, each (name, image) pair one file called `name`."""
    buffer = io.BytesIO()
    _write_zip(((pair, 1) for pair in named_images), buffer, dpi=dpi, on_file=None,
               threads=threads)
    return buffer.getvalue()


# --------------------------------------------------------------------------- batches

def render_batch(items: Iterable[T], render: Callable[[T], Page], *,
                 output: Output = "pdf", name: Callable[[int, T], str] | None = None,
                 progress: Progress | None = None, dpi: float = DPI,
                 title: str | None = None, threads: int = THREADS) -> bytes:
    """Render every item with `render` (returning an image, or a `Layered` one such as
    `layouts.event_badge_layers` gives: much faster in a PDF) and put them in one file:

    - "pdf": one page per item, each its paper size (or its size at `dpi`);
    - "a4-pdf": A6 badges four to an A4 page with cut marks (`layouts.a4_sheet`);
    - "zip": one PNG per item, named `name(index, item)` (default "0001.png", ...).

    `progress(done, total)` is called with (0, total) first, then as items are in the
    file, from the calling thread; run the whole call in a worker thread or process to
    keep it off a request's path. Items are read once, into a list."""
    if output not in ("pdf", "a4-pdf", "zip"):
        raise ValueError(f"unknown output {output!r}")
    items = list(items)
    total = len(items)
    done = 0

    def advance(count: int) -> None:
        nonlocal done
        done += count
        if progress is not None:
            progress(done, total)

    if progress is not None:
        progress(0, total)
    buffer = io.BytesIO()
    if output == "zip":
        namer = name or (lambda index, _item: f"{index + 1:04d}.png")
        named = (((namer(index, item), render(item)), 1) for index, item in enumerate(items))
        _write_zip(named, buffer, dpi=dpi, on_file=advance, threads=threads)
        return buffer.getvalue()
    if output == "pdf":
        units: Iterator[tuple[Page, int]] = ((render(item), 1) for item in items)
    else:
        units = _sheets(items, render)
    _write_pdf(units, buffer, dpi=dpi, title=title, on_page=advance, threads=threads)
    return buffer.getvalue()


def _sheets(items: list[T], render: Callable[[T], Page]) -> Iterator[tuple[Page, int]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, PER_SHEET)):
        yield a4_sheet_layers([render(item) for item in chunk]), len(chunk)
