"""What the SCORM runtime records about each question, in the formats strict SCORM 1.2 allows.

`cmi.interactions.n.id` is a CMIIdentifier (no spaces, at most 255 characters). A `choice` response
is a comma-separated list of single characters, 0-9 and a-z, and a `true-false` one is `t` or `f`
(SCORM 1.2 RTE 3.4.2.7). Lenient runtimes (scorm-again) take more; strict hosts do not, so the
package is built to the strict rule. The same characters name the ticked options in
`cmi.suspend_data`, which keeps it short.
"""

from __future__ import annotations

import hashlib
import re

from authoring.kinds import kind_named

IDENTIFIER = re.compile(r"\A[A-Za-z0-9_-]{1,255}\Z")
CHOICE_CHARACTERS = "abcdefghijklmnopqrstuvwxyz0123456789"  # a-z first, so the usual four options are a, b, c, d
TRUE_FALSE = {"true": "t", "false": "f"}


def interaction_id(question_id: str) -> str:
    """The question's id when it is a valid CMIIdentifier (every id a notebook allows is), else a stable stand-in."""
    if IDENTIFIER.match(question_id):
        return question_id
    return "q-" + hashlib.sha256(question_id.encode("utf-8")).hexdigest()[:16]


def response_characters(question: dict) -> dict[str, str]:
    """Option id -> the one character that stands for it, by the option's place in the notebook.

    True or false questions answer 't' or 'f'. A question with more than 36 options has no
    characters left for the rest, so `authoring.scorm.build_package` refuses to package it.
    """
    if kind_named(question["kind"]).scorm_interaction == "true-false":
        by_text = {o["id"]: TRUE_FALSE.get(o["html"].strip().lower()) for o in question["options"]}
        if all(by_text.values()):
            return by_text
    return {o["id"]: character for o, character in zip(question["options"], CHOICE_CHARACTERS, strict=False)}


def question_record(question: dict) -> dict:
    """What the runtime needs to report one question: its kind, interaction id, type and option characters."""
    characters = response_characters(question)
    true_false = kind_named(question["kind"]).scorm_interaction == "true-false" and sorted(characters.values()) == ["f", "t"]
    return {"kind": question["kind"], "scored": question["scored"], "ref": interaction_id(question["id"]),
            "type": "true-false" if true_false else "choice", "responses": characters}
