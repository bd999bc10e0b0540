"""Safer Learning authoring: turn trainers' Jupyter notebooks into checked, sanitised lesson bundles.

Pure: notebooks in, bundles out. Nothing here imports Flask or touches the LMS database.
Names are loaded on first use, so a build with nothing to do never pays for the notebook libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "BuildReport": "authoring.api", "build": "authoring.api", "check": "authoring.api", "find_notebooks": "authoring.api",
    "Module": "authoring.module", "load": "authoring.module",
    "NotebookError": "authoring.problems", "Problem": "authoring.problems", "Severity": "authoring.problems",
    "PackageSource": "authoring.scorm", "build_package": "authoring.scorm", "source_from_module": "authoring.scorm",
    "write_package": "authoring.scorm",
    "ImportResult": "authoring.gift_import", "export_gift": "authoring.gift", "import_gift": "authoring.gift_import", "parse_gift": "authoring.gift_import",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'authoring' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
