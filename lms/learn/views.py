"""The learner's journey: my training, lesson pages with knowledge checks, the marked assessment."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from lms.db import db
from lms.learn import page_cache
from lms.models import Attempt, Completion, ModuleVersion, utcnow
from lms.services import attempt_policy, completions, lessons, module_review, standing
from lms.services.assessment_draw import asked_questions, knowledge_check, question_count, questions_asked, rules_of
from lms.services.marking import AnswerError, mark, read_answers
from lms.services.periods import uk_date

blueprint = Blueprint("learn", __name__, template_folder="templates")
REVIEWING = "reviewing"  # session key: slugs of modules whose pages the learner must read again before a retry


def _lesson_or_404(slug: str) -> lessons.Lesson:
    lesson = lessons.find_lesson(db.session, slug)
    if lesson is None:
        abort(404)
    return lesson


def _own_attempt_or_404(attempt_id: int) -> Attempt:
    """Another learner's attempt is 'not found', so ids reveal nothing."""
    attempt = db.session.scalar(select(Attempt).where(Attempt.id == attempt_id, Attempt.user_id == current_user.id))
    if attempt is None:
        abort(404)
    return attempt


@blueprint.route("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("learn.my_training"))
    return render_template("learn/home.html")


@blueprint.route("/my-training")
@login_required
def my_training():
    statuses = standing.training_status(db.session, current_user)
    started_elsewhere = lessons.updated_since_started(db.session, current_user)
    updated = {s.module.id for s in statuses if s.completion is None} & started_elsewhere  # completions stay on their version
    return render_template("learn/my_training.html", statuses=statuses, updated=updated)


@blueprint.route("/modules/<slug>")
@login_required
def module(slug: str):
    lesson = _lesson_or_404(slug)
    resume = lessons.resume(db.session, current_user, lesson)
    governance = module_review.governance(lesson.version, uk_date(utcnow()))  # no query; shown only to staff
    return render_template("learn/module.html", lesson=lesson, resume=resume, governance=governance)


@blueprint.route("/modules/<slug>/print")
@login_required
def print_module(slug: str):
    lesson = _lesson_or_404(slug)
    return render_template("learn/print.html", lesson=lesson, pages=lessons.lesson_pages(db.session, lesson))


@blueprint.route("/modules/<slug>/pages/<int:number>", methods=["GET", "POST"])
@login_required
def lesson_page(slug: str, number: int):
    lesson, last_page = lessons.find_lesson_and_place(db.session, slug, current_user)
    if lesson is None or not 1 <= number <= lesson.lesson_page_count:
        abort(404)
    page = lessons.page(db.session, lesson.version, number)
    checked = _knowledge_check(lesson) if request.method == "POST" else None
    lessons.remember_page(db.session, current_user, lesson.version.id, number, last_page)
    if slug in session.get(REVIEWING, ()):  # only while a review is owed: most page views skip the query
        attempt_policy.note_page_read(db.session, current_user, lesson.version, number)
    # No FlaskForm: the knowledge check's CSRF token is checked by CSRFProtect, and nothing here validates a form.
    return render_template("learn/page.html", lesson=lesson, page=page, number=number, checked=checked,
                           knowledge_check=knowledge_check, lesson_content=page_cache.lesson_content)


def _knowledge_check(lesson: lessons.Lesson) -> dict:
    """Mark one unscored question and return what the page needs to show its feedback."""
    question = lesson.question(request.form.get("question", ""))
    if question is None or question["scored"]:
        abort(400)
    try:
        answers = read_answers([knowledge_check(question)], request.form.to_dict(flat=False))
    except AnswerError:
        return {"id": question["id"], "error": "Choose an answer" if not question["multiple"] else "Choose at least one answer"}
    key = db.session.scalar(select(ModuleVersion.answer_key).where(ModuleVersion.id == lesson.version.id))
    result = mark([question], key, answers, 100).results[0]
    return {"id": question["id"], "result": result}


def _gate(lesson: lessons.Lesson) -> attempt_policy.RetryGate:
    """The retry rules' answer for the learner, remembering in their session whether a page review is owed.

    The learner meets the review list on the result or assessment page before reading the pages, so the
    hint is always set by the time it matters; lesson pages then count towards the review only while it is.
    """
    gate = attempt_policy.retry_gate(db.session, current_user, lesson.version)
    reviewing = set(session.get(REVIEWING, ()))
    wanted = reviewing | {lesson.module.slug} if gate.reason == "review" else reviewing - {lesson.module.slug}
    if wanted != reviewing:
        session[REVIEWING] = sorted(wanted)
    return gate


def _review_pages(lesson: lessons.Lesson, gate: attempt_policy.RetryGate | None) -> list[tuple[int, str]]:
    """(number, title) of each lesson page still to read before a retry."""
    pages = [(n, lessons.page(db.session, lesson.version, n)) for n in (gate.pages_to_review if gate else [])]
    return [(n, page.title) for n, page in pages if page is not None]


@blueprint.route("/modules/<slug>/assessment", methods=["GET", "POST"])
@login_required
def assessment(slug: str):
    lesson = _lesson_or_404(slug)
    if not lesson.has_assessment:
        abort(404)
    form, status = FlaskForm(), 200
    if form.validate_on_submit():
        try:
            attempt = completions.start_attempt(db.session, current_user, lesson.version)
            return redirect(url_for("learn.attempt", attempt_id=attempt.id))
        except completions.EmailNotConfirmed:
            status = 403  # the page explains why, and offers the confirmation link again
        except completions.RetryNotYet:
            status = 409  # the page says what to do first, or when to come back
    intro = lessons.page(db.session, lesson.version, lesson.version.page_count)
    gate = _gate(lesson)
    return render_template("learn/assessment.html", lesson=lesson, intro=intro, form=form, gate=gate,
                           review_pages=_review_pages(lesson, gate), question_count=question_count(lesson.version),
                           rules=rules_of(lesson.version)), status


@blueprint.route("/attempts/<int:attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is not None:
        return redirect(url_for("learn.result", attempt_id=attempt.id))
    form, errors = FlaskForm(), {}
    if form.validate_on_submit():
        try:
            completions.submit_attempt(db.session, attempt.id, current_user, request.form.to_dict(flat=False))
            return redirect(url_for("learn.result", attempt_id=attempt.id))
        except AnswerError as error:
            errors = error.problems
        except completions.AttemptSuperseded:
            flash("You have started a newer attempt at this assessment, so this one can no longer be submitted. "
                  "Your answers here were not marked.", "info")
            return redirect(url_for("learn.assessment", slug=attempt.version.module.slug))
    lesson = lessons.Lesson(attempt.version.module, attempt.version)
    chosen = request.form.to_dict(flat=False) if request.method == "POST" else {}
    asked = asked_questions(attempt.version, attempt)
    return render_template("learn/attempt.html", lesson=lesson, attempt=attempt, asked=asked, sections=lessons.in_sections(asked),
                           form=form, errors=errors, chosen=chosen)


@blueprint.route("/attempts/<int:attempt_id>/result")
@login_required
def result(attempt_id: int):
    attempt = _own_attempt_or_404(attempt_id)
    if attempt.submitted_at is None:
        return redirect(url_for("learn.attempt", attempt_id=attempt.id))
    version = attempt.version
    asked = asked_questions(version, attempt)
    marking = mark(questions_asked(version, attempt), version.answer_key, attempt.answers or {}, version.pass_mark)
    completion = db.session.scalar(select(Completion).where(Completion.attempt_id == attempt.id))
    lesson = lessons.Lesson(version.module, version)
    current = lessons.find_lesson(db.session, version.module.slug)
    gate = _gate(current) if current and current.has_assessment and not attempt.passed else None
    show_answers = bool(attempt.passed) or rules_of(version).show_after_fail == "answers"
    return render_template("learn/result.html", lesson=lesson, attempt=attempt, marking=marking, completion=completion,
                           answered=list(zip(asked, marking.results, strict=True)), gate=gate, show_answers=show_answers,
                           review_pages=_review_pages(current, gate),
                           rules=rules_of(current.version if current else version))
