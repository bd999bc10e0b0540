"""`lms`: the Flask command line for Safer Learning (run, db, courses, demo, report)."""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from lms import create_app


@click.group(cls=FlaskGroup, create_app=create_app, add_version_option=False)
def main() -> None:
    """Safer Learning LMS: serve the site and manage its database, courses and reports."""
