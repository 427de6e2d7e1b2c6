#!/usr/bin/env python3
"""Badge rendering benchmark: membership cards as PNG, and a seminar's badges as a PDF.

    .venv/bin/python bench/badges.py
    .venv/bin/python bench/badges.py --cards 1000 --guests 500 --keep

In this process, no server: the `badges` library as the server calls it.

1. Cards: `--cards` membership cards (demo-like Vietnamese names, member numbers,
   tiers), each with its own token signed like the server's (kiosk_server.core.signing),
   so the QR cache never helps; each rendered and made PNG bytes, one after the other on
   one thread (`badges.png_bytes(badges.membership_card(...))`), after a short
   unmeasured warm-up (fonts loaded, the brand's card template drawn).
2. PDF: `--guests` guests of a seminar (kiosk_server.demo.vietnamese_people, the first 20
   VIPs like the demo's), each with a signed invitation token: one A6 badge a page,
   `badges.render_batch(guests, event_badge_layers, output="pdf")` (the event's
   template stored once, each page adding the guest's name and QR), timed from the
   list of guests to the PDF's bytes, the badge templates' drawing included; then the
   same as A4 sheets, four badges a page, and as whole badge images a page (what a
   caller of `event_badge` would get), for comparison. The PDFs are written to the
   work dir (kept with --keep).

The last line of output is machine-readable:

    cards_per_s=.. pdf_s=..
"""

from __future__ import annotations

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path.insert(0, str(REPO))  # run from a checkout even if the package is not installed
sys.path.insert(1, str(BENCH_DIR))

import checkin as checkin_bench  # noqa: E402  (bench/checkin.py: BenchRun, background load)

EVENT = "Hội thảo Chuyển đổi số cho Doanh nghiệp Nhỏ 2026"
TIERS = ["Thành viên", "Bạc", "Vàng", "Kim cương"]


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cards", type=int, default=1000, help="cards rendered (default 1000)")
    p.add_argument("--guests", type=int, default=500, help="badges in the PDF (default 500)")
    p.add_argument("--threads", type=int, default=2,
                   help="compression threads of the PDF writer (default 2)")
    p.add_argument("--no-flat", action="store_true",
                   help="skip the comparison PDF of whole (flattened) badge images")
    p.add_argument("--keep", action="store_true", help="keep the work dir (the PDFs)")
    return p.parse_args()


def main() -> int:
    args = parse_args()
    import badges
    from kiosk_server.core.signing import TokenKind, TokenSigner, new_serial
    from kiosk_server.demo import vietnamese_people

    signer = TokenSigner(secrets.token_bytes(32))
    brand = badges.Brand(name="Cà phê Sài Gòn", primary="#0F4C81", accent="#F2A900")
    work = Path(tempfile.mkdtemp(prefix="kiosk-bench-badges-"))
    print(f"Kiosk badge rendering benchmark; {os.cpu_count()} cores; work dir {work}")
    checkin_bench.check_background_load()
    with checkin_bench.BenchRun(work, keep=args.keep) as run:
        # ---------------------------------------------------------------- cards
        people = vietnamese_people(args.cards)
        cards = [dict(token=signer.sign(TokenKind.CARD, new_serial()), name=name,
                      member_number=f"KH-{number:06d}", tier=TIERS[number % len(TIERS)])
                 for number, (name, _phone) in enumerate(people, start=1)]
        for card in cards[:20]:  # warm-up (its QRs are cached now: not measured below)
            badges.png_bytes(badges.membership_card(**card, brand=brand))
        measured = cards[20:]
        sizes = []
        started = time.perf_counter()
        for card in measured:
            sizes.append(len(badges.png_bytes(badges.membership_card(**card, brand=brand))))
        cards_s = time.perf_counter() - started
        cards_per_s = len(measured) / cards_s
        print(f"cards: {len(measured)} PNGs in {cards_s:.2f} s = {cards_per_s:.0f}/s "
              f"({1000 * cards_s / len(measured):.2f} ms each, "
              f"median {statistics.median(sizes) / 1024:.0f} KiB)")

        # ---------------------------------------------------------------- PDF
        guests = [dict(token=signer.sign(TokenKind.INVITATION, new_serial()), name=name,
                       event_name=EVENT, ribbon="VIP" if index < 20 else None)
                  for index, (name, _phone) in enumerate(vietnamese_people(args.guests))]
        layered = lambda guest: badges.event_badge_layers(**guest, brand=brand)  # noqa: E731
        flat = lambda guest: badges.event_badge(**guest, brand=brand)  # noqa: E731
        results = {}
        # "pdf" is the figure; the others compare: A4 sheets, and whole images a page
        runs = [("pdf", "pdf", layered), ("a4-pdf", "a4-pdf", layered)]
        if not args.no_flat:
            runs.append(("pdf of whole images", "pdf", flat))
        for label, output, render in runs:
            reported: list[tuple[int, int]] = []
            started = time.perf_counter()
            data = badges.render_batch(
                guests, render, output=output, title=EVENT, threads=args.threads,
                progress=lambda done, total, seen=reported: seen.append((done, total)))
            seconds = time.perf_counter() - started
            if reported[-1] != (len(guests), len(guests)):
                raise RuntimeError(f"progress ended at {reported[-1]}")
            (work / f"badges-{label.replace(' ', '-')}.pdf").write_bytes(data)
            pages = len(guests) if output == "pdf" else -(-len(guests) // 4)
            results[label] = seconds
            print(f"{label}: {len(guests)} badges, {pages} pages, {len(data) / 2**20:.1f} MiB "
                  f"in {seconds:.2f} s ({1000 * seconds / len(guests):.2f} ms a badge)")
        print(f"cards_per_s={cards_per_s:.0f} pdf_s={results['pdf']:.2f}")
    return run.status


if __name__ == "__main__":
    sys.exit(main())
