"""`python -m authoring`: the same command line as `authoring`."""

from authoring.cli import main

main()
