"""Allow-list sanitising of every HTML fragment that leaves a notebook.

Nothing from a notebook may run script in a learner's browser or load anything from another host:
images must come from the module's own assets, links may only point at web, mail or phone addresses.
"""

from __future__ import annotations

import nh3

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


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Images only from the module's own assets; nothing else is rewritten."""
    if tag == "img" and attribute == "src" and not value.startswith(ASSET_PREFIX):
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
