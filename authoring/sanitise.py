"""Allow-list sanitising of every HTML fragment that leaves a notebook.

Nothing from a notebook may run script in a learner's browser or load anything from another host:
images must come from the module's own assets, links may only point at web, mail or phone addresses.
"""

from __future__ import annotations

import re

import nh3

from authoring.assets import is_safe_name

ALLOWED_TAGS = {
    "p", "h2", "h3", "h4", "h5", "h6", "a", "strong", "em", "b", "i", "u", "s", "del", "ins", "mark",
    "ul", "ol", "li", "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "br", "hr", "img", "span", "div", "sup", "sub", "abbr", "dl", "dt", "dd", "figure",
    "figcaption", "small", "kbd", "q", "cite",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "*": {"lang"},
}
ALLOWED_CLASSES = {
    "p": {"govuk-body"},
    "h2": {"govuk-heading-m"}, "h3": {"govuk-heading-s"}, "h4": {"govuk-heading-s"},
    "h5": {"govuk-heading-s"}, "h6": {"govuk-heading-s"},
    "a": {"govuk-link"},
    "ul": {"govuk-list", "govuk-list--bullet"}, "ol": {"govuk-list", "govuk-list--number"},
    "table": {"govuk-table"}, "thead": {"govuk-table__head"}, "tbody": {"govuk-table__body"},
    "tr": {"govuk-table__row"}, "th": {"govuk-table__header"}, "td": {"govuk-table__cell"},
    "div": {"govuk-inset-text", "govuk-warning-text", "sl-callout", "sl-key-point", "sl-emergency", "math", "sl-output"},
    "span": {"govuk-warning-text__icon", "govuk-visually-hidden", "math"},
    "strong": {"govuk-warning-text__text"},
    "blockquote": {"sl-quote"},
    "pre": {"sl-code"},
    "img": {"sl-image"},
    "hr": {"govuk-section-break", "govuk-section-break--m", "govuk-section-break--visible"},
}
LINK_SCHEMES = {"http", "https", "mailto", "tel"}
ASSET_PREFIX = "assets/"


SCHEME = re.compile(r"\A[A-Za-z][A-Za-z0-9+.-]*:")


def is_asset_link(value: str) -> bool:
    """A link to one of the module's own files that cannot leave its version's folder."""
    return value.startswith(ASSET_PREFIX) and is_safe_name(value[len(ASSET_PREFIX):])


def is_link_inside_lesson(value: str) -> bool:
    """A link without a scheme may only reach a part of the page itself (#part), never another path of the site."""
    return bool(SCHEME.match(value)) or value.startswith("#")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images only from the module's own assets, links never to other paths of the site; nothing is rewritten."""
    if tag == "img" and attribute == "src" and not is_asset_link(value):
        return None
    if tag == "a" and attribute == "href" and not is_link_inside_lesson(value):
        return None
    return value


def sanitise(html: str) -> str:
    """Clean one rendered fragment with the allow-list."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        url_schemes=LINK_SCHEMES,
        allowed_classes=ALLOWED_CLASSES,
        tag_attribute_values={"span": {"aria-hidden": {"true"}}},
        link_rel="noopener noreferrer",
    )
