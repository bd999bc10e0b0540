"""How long `authoring check` takes on a notebook of hostile cells against an ordinary one of the same size.

The hostile cells are what an outside attacker typed to make the checker's patterns backtrack: `- [`
followed by 200,000 spaces, headings and quotes of spaces, never-closed HTML comments and tags from
"Word", a code cell's '# Alt text:' line of spaces. Two ratios: hostile against ordinary at the same
size (mistune, the sanitiser and the checks do more per byte of such text, so it is several times
the ordinary notebook), and the hostile notebook at twice the size against the size given, which
shows how the cost grows: about 2 is linear, 4 would be quadratic. Before the patterns were made
linear, one '# Alt text:' line of 200,000 spaces alone took 134 s.

    .venv/bin/python bench/check_hostile.py [--size 200000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from authoring import check


def hostile_cells(size: int) -> list:
    spaces = " " * size
    return [
        new_markdown_cell(f"# Hostile\n\n- [{spaces}\n\n- [{spaces}"),
        # Not here: '## a' + spaces + 'b'. mistune's own heading rule is quadratic on it (render.py's concern, not the checker's).
        new_markdown_cell(f"Text\n\n- [{chr(0xa0) * size}y\n\n>{spaces}x"),
        new_markdown_cell(f"### Question{spaces}x\n\nWho?\n\n- [x] A\n  > y\n- [ ] B\n  > n"),
        new_markdown_cell('<p class="MsoNormal">' + "<!--[if x" * (size // 9) + "<" * size + "mso-" * (size // 4)),
        new_code_cell(f"# alt: a{spaces}b\nprint(1)"),
    ]


def ordinary_cells(size: int) -> list:
    words = " ".join(["lesson"] * (size // 7))
    return [new_markdown_cell(f"# Ordinary\n\n{words}"), new_markdown_cell(f"Text\n\n- item {words}\n\n## A heading\n\n> {words}"),
            new_markdown_cell(f"### Question\n\n{words}?\n\n- [x] A\n  > y\n- [ ] B\n  > n"),
            new_markdown_cell(words), new_code_cell(f"# {words}\nprint(1)")]


def timed(cells: list, repeat: int) -> float:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "m.ipynb"
        notebook = new_notebook()
        notebook.cells = [new_markdown_cell("# Intro\n\nText."), *cells]
        nbformat.write(notebook, str(path))
        runs = []
        for _ in range(repeat):
            start = time.perf_counter()
            check([path])
            runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ordinary, hostile = timed(ordinary_cells(args.size), args.repeat), timed(hostile_cells(args.size), args.repeat)
    doubled = timed(hostile_cells(2 * args.size), args.repeat)
    print(f"ordinary notebook: {ordinary:.3f} s; hostile notebook: {hostile:.3f} s; ratio {hostile / ordinary:.1f}")
    print(f"hostile notebook at twice the size: {doubled:.3f} s; growth {doubled / hostile:.1f} (2 is linear, 4 quadratic)")


if __name__ == "__main__":
    main()
