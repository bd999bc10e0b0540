"""What a module may ship as a file: images recognised by their bytes, SVG without active content, safe names.

One home for the rules, used three times: `authoring check` reports a bad image with its cell, `lms
courses publish` refuses a bundle that breaks them (anyone who can write the build folder could plant
a file), and the LMS checks again before it serves a stored file.

SVG is refused, not cleaned, when it holds anything that could run or fetch: a DOCTYPE or entities,
processing instructions, script, foreignObject or other embedding elements, event-handler attributes,
`javascript:` and any reference that is not to a fragment of the same file (href, url(), @import).
"""

from __future__ import annotations

import re
from urllib.parse import unquote
from xml.etree import ElementTree

SVG = "image/svg+xml"
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", SVG)
SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,199}\Z")
SVG_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<[?!A-Za-z]")  # XML text; `<svg` must come soon after
EMBEDDING = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
OUTSIDE_REFERENCE = re.compile(r"url\(\s*['\"]?\s*(?!#)|@import|javascript:|image-set\(|image\(|src\(|cross-fade\(", re.IGNORECASE)
ASSET_FIX = "save the image again as a PNG, JPEG, GIF or WebP file, or as a plain SVG drawing without script or links"


def is_safe_name(name: str) -> bool:
    """A file name that stays inside its version's folder: no slashes, dots first, encodings or NUL."""
    return bool(SAFE_NAME.match(name))


def is_inside_path(url: str) -> bool:
    """A relative link that stays inside the folder it starts in, however it is spelt or encoded."""
    decoded = unquote(unquote(url))
    if any(bad in text for text in (url, decoded) for bad in ("\\", "\0")) or decoded.startswith("/"):
        return False
    if re.match(r"[A-Za-z]:", decoded) or any(ord(c) < 32 for c in decoded):
        return False
    return ".." not in decoded.split("/")


def media_type(data: bytes) -> str | None:
    """The image type the bytes are, whatever the file is called; None for anything else."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if SVG_START.match(data) and b"<svg" in data[:4096]:
        return SVG
    return None


def asset_problem(data: bytes) -> str | None:
    """Why these bytes cannot be a module's image, or None when they can."""
    found = media_type(data)
    if found is None:
        return "is not a PNG, JPEG, GIF, WebP or SVG image (judged by its content, not its name)"
    return svg_problem(data) if found == SVG else None


def svg_problem(data: bytes) -> str | None:
    """Why an SVG could run script or fetch something when shown, or None when it is a plain drawing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return "is an SVG that is not UTF-8 text"
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        return "is an SVG with a DOCTYPE or entities"
    if re.search(r"<\?(?!xml\s)", text[1:] if text.startswith("<?xml") else text):
        return "is an SVG with a processing instruction (such as a style sheet link)"
    try:
        root = ElementTree.fromstring(text)  # noqa: S314 - no DOCTYPE, so no entities to expand (refused above)
    except ElementTree.ParseError as error:
        return f"is an SVG that is not well-formed XML ({error})"
    if _local(root.tag) != "svg":
        return "is not an SVG drawing"
    return next(filter(None, map(_element_problem, root.iter())), None)


def _element_problem(element: ElementTree.Element) -> str | None:
    tag = _local(element.tag)
    if tag.lower() in EMBEDDING:
        return f"is an SVG with a <{tag}> element"
    if tag == "style":
        sheet = "".join(element.itertext())  # the whole sheet, text after child elements too
        if len(element) or OUTSIDE_REFERENCE.search(sheet) or "\\" in sheet:
            return "is an SVG whose style loads something from outside it, or hides what it loads behind CSS escapes"
    for name, value in element.attrib.items():
        name = _local(name)
        if name.lower().startswith("on"):
            return f"is an SVG with an event handler ({name})"
        if name == "href" and not value.strip().startswith("#") or OUTSIDE_REFERENCE.search(value) or "\\" in value:
            return f"is an SVG that refers to something outside it ({name}=\"{value[:40]}\")"
    return None


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]
