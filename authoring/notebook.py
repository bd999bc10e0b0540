"""Reading a notebook file, with every way it can fail turned into a problem a trainer can act on."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbformat.validator import normalize

from authoring.problems import ProblemList

MAX_NOTEBOOK_BYTES = 20 * 1024 * 1024  # real modules are about 50 KB; pasted photos rarely pass a few MB
DAMAGED_FIX = "open it in JupyterLab and save it again; if that fails, restore the last good copy"


def read_notebook(path: Path, problems: ProblemList) -> NotebookNode | None:
    """Load an nbformat 4 notebook, or report why it cannot be read and return None."""
    if path.suffix != ".ipynb":
        problems.error(None, "this is not a Jupyter notebook", "give the path of a .ipynb file")
        return None
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            problems.error(None, f"the notebook is larger than {MAX_NOTEBOOK_BYTES // 1024 // 1024} MB",
                           "save big images as files next to the notebook (PNG or JPEG, under 1 MB each) and link to them")
            return None
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.error(None, "the file does not exist", "check the path and the file name")
        return None
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(None, f"the file cannot be read ({exc.__class__.__name__})", "save the notebook again from JupyterLab")
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.error(None, f"the notebook is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})",
                       "open it in JupyterLab; if it will not open, restore the last good copy")
        return None
    except RecursionError:
        too_deep(problems)
        return None
    try:
        return _validated(data, problems)
    except RecursionError:
        too_deep(problems)
        return None


def too_deep(problems: ProblemList) -> None:
    """JSON nested hundreds deep exhausts Python's stack; JupyterLab never saves a notebook like that."""
    problems.error(None, "the notebook is nested too deeply to read (lists or objects inside one another hundreds of levels deep)",
                   "restore the last good copy of the notebook; JupyterLab never saves one like this")


def _validated(data: object, problems: ProblemList) -> NotebookNode | None:
    if not isinstance(data, dict) or "cells" not in data and "worksheets" not in data:
        problems.error(None, "the file is JSON but not a Jupyter notebook", "give the path of a notebook saved by JupyterLab")
        return None
    version = data.get("nbformat")
    if version != 4:
        problems.error(None, f"notebook format {version} is not supported (we read format 4)",
                       "open the notebook in JupyterLab 3 or later and save it, which converts it to format 4")
        return None
    try:
        with warnings.catch_warnings():  # nbformat's advice to developers means nothing to trainers
            warnings.simplefilter("ignore")
            _changes, data = normalize(data)  # adds the cell ids older notebooks lack
            notebook = nbformat.from_dict(data)
            nbformat.validate(notebook, version=4)
    except nbformat.ValidationError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) if hasattr(exc, "absolute_path") else ""
        cell = _cell_from_path(list(getattr(exc, "absolute_path", [])))
        problems.error(cell, f"the notebook's structure is damaged ({exc.message}{' at ' + where if where else ''})", DAMAGED_FIX)
        return None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:  # nbformat assumes the shapes it validates
        problems.error(None, f"the notebook's structure is damaged ({exc.__class__.__name__})", DAMAGED_FIX)
        return None
    return notebook


def _cell_from_path(path: list) -> int | None:
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        return path[1] + 1
    return None


def cell_source(cell: NotebookNode) -> str:
    """A cell's text whether it was saved as one string or a list of lines."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source
