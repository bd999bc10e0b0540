"""Does publishing re-check a hand-edited bundle (hash recomputed) with authoring's own rules for questions,
pages, pools and the notebook's name, so nothing learners or exports read arrives unchecked?"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from authoring import build
from authoring.bundle import MANIFEST
from lms.models import Module
from lms.services.bundles import PublishError
from lms.services.publishing import dry_run, publish
from tests.builders import write_pooled_notebook
from tests.lms.test_publishing import built, refused, tamper
from tests.lms.test_publishing_versions import built as built_from


def scored(manifest: dict) -> dict:
    return next(q for q in manifest["questions"] if q["scored"])


def move_to_first_page(manifest: dict, key: dict) -> None:
    question = scored(manifest)["id"]
    for page in manifest["pages"]:
        page["blocks"] = [b for b in page["blocks"] if b.get("id") != question]
    manifest["pages"][0]["blocks"].append({"type": "question", "id": question})


def all_right(manifest: dict, key: dict) -> None:
    question = scored(manifest)
    question["multiple"] = True
    key[question["id"]]["correct"] = [o["id"] for o in question["options"]]


def same_option_ids(manifest: dict, key: dict) -> None:
    question = scored(manifest)
    for option in question["options"]:
        option["id"] = "same"
    key[question["id"]].update(correct=["same"], feedback={})


@pytest.mark.parametrize(("change", "message"), [
    # the learner's 500: an outcome that is a list could not be drawn from (TypeError: unhashable type)
    (lambda m, k: scored(m).update(outcome=["a"]), "the learning outcome \"['a']\" is not text"),
    (lambda m, k: m["settings"]["assessment"].update(questions=50),
     "settings: the assessment asks 50 questions but the pool has only 1 scored questions — add 49 more"),
    (move_to_first_page, "page 1: a scored question is not on the last page — move it to the assessment page"),
    (lambda m, k: m["pages"][0].update(blocks=[]), "page 1: the page is empty"),
    (lambda m, k: scored(m).update(multiple=True), "the question says it takes several answers, but a 'single' question does not"),
    (lambda m, k: scored(m).update(kind="multiple"), "the question says it does not take several answers, but a 'multiple' question does"),
    (all_right, "the question says it takes several answers"),
    (lambda m, k: scored(m).update(correct=k[scored(m)["id"]]["correct"]), "the question holds 'correct', which 'authoring build' never writes"),
    (lambda m, k: scored(m).update(feedback={"x": "FBSECRET"}), "the question holds 'feedback'"),
    (lambda m, k: scored(m)["options"][0].update(right=True), "the options are not shaped"),
    (same_option_ids, "the options are not shaped"),
    (lambda m, k: m["pages"][0]["blocks"][0].update(note="x"), "page 1: a block is not shaped"),
    (lambda m, k: m["pages"][-1]["blocks"].append({"type": "question", "id": scored(m)["id"]}), "each question must be on a page exactly once"),
    (lambda m, k: scored(m).update(scored=False), "the module has no scored questions, so no learner can pass it"),
    (lambda m, k: next(iter(k.values())).update(secret="x"), "answer-key.json: question"),
])
def test_is_a_hand_edited_question_page_or_pool_refused_with_authorings_rules(session, tmp_path, change, message):
    out = built(tmp_path)
    tamper(out / "tiny-module", change)
    text = refused(session, out, message)
    assert text.startswith(str(out / "tiny-module")) and " — " in text


def test_is_a_right_answer_count_refused_with_the_kinds_own_rule(session, tmp_path):
    out = built(tmp_path)
    tamper(out / "tiny-module", lambda m, k: k[scored(m)["id"]].update(correct=[o["id"] for o in scored(m)["options"]]))
    text = refused(session, out, "answer-key.json: question q-")
    assert "a one-answer question has 2 options marked [x] — mark only one option with [x]" in text and text.endswith("publish the new folder")


def test_is_a_question_id_that_is_not_text_refused_not_raised(session, tmp_path):
    out = built(tmp_path)
    tamper(out / "tiny-module", lambda m, k: m["questions"][0].update(id=["x"]))
    refused(session, out, "manifest.json: questions: a question is not shaped as 'authoring build' writes it")


def test_is_a_pool_with_more_outcomes_than_questions_asked_refused(session, tmp_path):
    source = write_pooled_notebook(tmp_path / "src" / "pooled.ipynb", outcomes=2, per_outcome=2, questions=2)
    report = build([source], tmp_path / "out")
    assert report.built, report.problems
    tamper(tmp_path / "out" / "pooled", lambda m, k: m["settings"]["assessment"].update(questions=1))
    refused(session, tmp_path / "out", "the pool has 2 learning outcomes but an attempt asks only 1 questions — ask at least one")


def test_does_a_refused_language_show_only_the_start_of_a_long_value(session, tmp_path):
    out = built(tmp_path)
    tamper(out / "tiny-module", lambda m, k: m["pages"][0].update(lang="cy-" + "a" * 5000))
    text = refused(session, out, "page 1: the page's language 'cy-" + "a" * 37 + "'… is not a language tag")
    assert len(text) < 600


@pytest.mark.parametrize("source", [
    "copy.ipynb; the module has 0 completions\nbasemod: new version 2 replacing version 1\n\x1b[32mOK\x1b[0m.ipynb",
    "evil\x1b]8;;http://x\x07.ipynb", "\u202ebnypi.txt.ipynb", "notes.txt", "m.ipynb\n", "folder/m.ipynb", "folder\\m.ipynb",
    "a" * 250 + ".ipynb", "", 5,
])
def test_is_a_notebook_name_that_is_not_a_plain_file_name_refused_and_shown_escaped(session, tmp_path, source):
    out = built(tmp_path)
    tamper(out / "tiny-module", lambda m, k: m.update(source=source))
    text = refused(session, out, "manifest.json: source: the notebook's name")
    assert "\n" not in text and "\x1b" not in text and "\u202e" not in text and len(text) < 600
    assert session.scalar(select(Module.id)) is None


def test_does_a_notebook_name_with_spaces_and_accents_still_publish(session, tmp_path):
    out = built_from(tmp_path, notebook="Café module (v2).ipynb")
    assert publish(session, out).published == ["tiny-module"]
    assert session.scalar(select(Module.source_notebook)) == "Café module (v2).ipynb"


def test_is_a_module_folder_with_a_terminal_escape_in_its_name_shown_escaped(session, tmp_path):
    out = built(tmp_path)
    (out / "tiny-module").rename(out / "evil\x1b[2J")
    manifest = out / "evil\x1b[2J" / MANIFEST
    manifest.write_text(json.dumps({**json.loads(manifest.read_text()), "format": 99}))
    plans = dry_run(session, out)
    assert "\x1b" not in plans[0].describe() and "evil\\x1b[2J" in plans[0].describe()
    with pytest.raises(PublishError) as raised:
        publish(session, out)
    assert "\x1b" not in str(raised.value)
