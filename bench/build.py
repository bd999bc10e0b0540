"""How fast `authoring build` is against `jupyter nbconvert --to html` on the same notebooks, in one run.

Each command runs as its own process (as a trainer would run it), several times; the median counts.
Goals: a cold build at most 0.25x nbconvert's time; a rebuild with nothing changed at most 0.05x.

    .venv/bin/python bench/build.py [--repeat 5] [notebooks or folders...]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def median_time(make_command, repeat: int) -> float:
    return statistics.median(timed(make_command(i)) for i in range(repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "courses")])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    notebooks = sorted(str(p) for path in map(Path, args.paths) for p in ([path] if path.is_file() else path.glob("*.ipynb")))
    authoring = [sys.executable, "-m", "authoring.cli", "build"]
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch)
        jupyter = str(Path(sys.executable).parent / "jupyter")  # the command trainers would type
        nbconvert = median_time(lambda i: [jupyter, "nbconvert", "--to", "html", "--output-dir", str(out / f"nb{i}"), *notebooks], args.repeat)
        cold = median_time(lambda i: [*authoring, *notebooks, "--out", str(out / f"cold{i}")], args.repeat)
        subprocess.run([*authoring, *notebooks, "--out", str(out / "warm")], check=True, capture_output=True)
        warm = median_time(lambda i: [*authoring, *notebooks, "--out", str(out / "warm")], args.repeat)
    print(f"notebooks: {len(notebooks)}, repeats: {args.repeat} (median seconds, each a separate process)")
    print(f"jupyter nbconvert --to html  {nbconvert:7.3f} s   1.00x")
    print(f"authoring build (cold)   {cold:7.3f} s   {cold / nbconvert:.3f}x   goal <= 0.25x   {'met' if cold / nbconvert <= 0.25 else 'NOT met'}")
    print(f"authoring build (none changed) {warm:7.3f} s   {warm / nbconvert:.3f}x   goal <= 0.05x   {'met' if warm / nbconvert <= 0.05 else 'NOT met'}")


if __name__ == "__main__":
    main()
