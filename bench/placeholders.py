"""How long filling partnership placeholders takes on a real lesson page against hostile pages, in one run.

The hostile pages are what a trainer's notebook can put into stored lesson HTML: `{{` followed by
30,000 encoded spaces (`&#32;`, which the sanitiser turns into spaces), and many unclosed `{{`.
A linear filler costs about the same per byte on every page; a backtracking one costs seconds.

    .venv/bin/python bench/placeholders.py [--repeat 5] [--spaces 30000]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from markupsafe import escape

from authoring import build
from authoring.placeholders import fill_placeholders
from authoring.sanitise import sanitise

ROOT = Path(__file__).resolve().parent.parent
VALUES = {"partnership_name": "Safer Testville", "prevent_team": "Call 0100 000 0000"}


def real_page() -> str:
    """The largest lesson page of the real modules, as stored: every block's HTML joined."""
    import json

    with tempfile.TemporaryDirectory() as scratch:
        build([ROOT / "courses"], scratch)
        pages = [p for manifest in Path(scratch).glob("*/manifest.json") for p in json.loads(manifest.read_text())["pages"]]
    return max(("\n".join(b.get("html", "") for b in p["blocks"]) for p in pages), key=len)


def timed(html: str, repeat: int) -> float:
    """Median seconds for one fill of `html`."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fill_placeholders(html, VALUES, escape)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--spaces", type=int, default=30_000)
    args = parser.parse_args()
    pages = {
        "real lesson page": real_page(),
        "{{ + encoded spaces": sanitise("<p>{{" + "&#32;" * args.spaces + "</p>"),
        "unclosed {{ x many": sanitise("<p>" + "{{ a " * (args.spaces // 5) + "</p>"),
    }
    times = {name: timed(html, args.repeat) for name, html in pages.items()}
    baseline = times["real lesson page"] / len(pages["real lesson page"])
    print(f"repeats: {args.repeat} (median); ratio = time per byte against the real page in this run")
    for name, html in pages.items():
        seconds = times[name]
        print(f"{name:22} {len(html):7,} bytes  {seconds * 1000:9.3f} ms  {seconds / len(html) / baseline:9.1f}x")


if __name__ == "__main__":
    main()
