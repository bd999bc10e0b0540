"""Can someone pass a module's final assessment without learning it? Two attackers against the real app.

The five course modules are published into a temporary SQLite LMS; each attacker signs in and sits real
attempts through Flask's test client (start, read the attempt page, answer, read the result page):

- blind script: reads no content, only the form's structure (field names, option tokens, positions and
  counts, input types) and the result page (score; which question numbers it lists). It keeps the
  elimination that beat the old engine (field + option id -> right or wrong) and learns which position,
  or how many boxes, earns most. Its pass chance is also worked out exactly (uniform guesses, and each
  shape's best fixed blind choice), and turned into days by the real retry rules on a simulated clock;
- test-wise guesser: reads the options but not the subject: the longest, 'False', all but the shortest.

Goals (issue 12): no blind pass within 7 days (< 1%); the test-wise guesser below 35% on every module.
Between attempts a trainer's reset lets the learner retry at once; the rules' time is counted separately.

    .venv/bin/python bench/assessment_attack.py [--quick]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import math
import random
import re
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, g  # noqa: E402 - after the path is set
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import select  # noqa: E402

from authoring import build  # noqa: E402
from authoring.kinds import kind_named  # noqa: E402
from authoring.scoring import passes  # noqa: E402
from lms import create_app, migrate  # noqa: E402
from lms.db import db  # noqa: E402
from lms.models import Attempt, Module, ModuleVersion, Role, User  # noqa: E402
from lms.services import attempt_policy  # noqa: E402
from lms.services.assessment_draw import draw, new_seed, question_count  # noqa: E402
from lms.services.publishing import publish  # noqa: E402
from tests.builders import PASSWORD, make_organisation, make_user, read_module  # noqa: E402

COURSES = ROOT / "courses"
SEEDS = 300  # draws averaged for the exact pass chance
WEEK = dt.timedelta(days=7)
CLOCK_START = dt.datetime(2026, 1, 5, 9, 0)  # a Monday morning; any moment would do
INPUT = re.compile(r'<input class="govuk-(?:radios|checkboxes)__input" id="[^"]+" name="(answer-\d+)" type="(radio|checkbox)" '
                   r'value="([^"]+)"[^>]*>\s*<label[^>]*>(.*?)</label>', re.S)
HINT = re.compile(r'<div id="(answer-\d+)-hint" class="govuk-hint">([^<]*)</div>')
LISTED = re.compile(r'<h3 class="govuk-heading-s">Question (\d+)</h3>')
SCORE = re.compile(r"You scored (\d+)%(?:<br>|\s)\((\d+) of (\d+) right\)")


@dataclass
class Asked:
    """One question as the attempt page shows it: field, input type, hint, and (token, label text) per option."""

    field: str
    input_type: str
    hint: str
    options: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Tally:
    """What one attacker's sample of real attempts came to."""

    attempts: int = 0
    passed: int = 0
    percent: int = 0  # sum of scores


# --- the app and its pages --------------------------------------------------------------------------

def make_instance(directory: Path) -> Flask:
    """A migrated SQLite LMS with the five course modules published."""
    app = create_app({"DATABASE_URL": f"sqlite:///{directory / 'lms.sqlite3'}", "SECRET_KEY": "attack-bench-secret",
                      "SESSION_COOKIE_SECURE": False, "REMEMBER_COOKIE_SECURE": False, "LOG_LEVEL": "WARNING"})
    # One app context is held open for the whole run, so each request must forget the last one's
    # signed-in user and CSRF token, as tests/conftest.py does.
    app.before_request_funcs.setdefault(None, []).insert(0, forget_the_last_request)
    app.app_context().push()
    migrate.upgrade(db.engine)
    report = build([COURSES], directory / "build")
    if report.failed:
        raise SystemExit(f"the courses did not build: {report.problems}")
    publish(db.session, directory / "build")
    return app


def forget_the_last_request() -> None:
    for name in ("_login_user", "csrf_token"):
        g.pop(name, None)


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def signed_in(app: Flask, user: User) -> FlaskClient:
    """A browser that has signed in through the sign-in page."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    response = client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf(page)})
    assert response.status_code == 302, "sign-in failed"
    return client


def open_attempt(client: FlaskClient, slug: str) -> tuple[str, str, list[Asked]]:
    """Press start on the assessment page; the attempt's address, CSRF token and questions as shown."""
    page = client.get(f"/modules/{slug}/assessment").get_data(as_text=True)
    response = client.post(f"/modules/{slug}/assessment", data={"csrf_token": csrf(page)})
    assert response.status_code == 302, f"could not start an attempt at {slug}: {response.status_code}"
    address = response.headers["Location"]
    html = client.get(address).get_data(as_text=True)
    hints = dict(HINT.findall(html))
    asked: dict[str, Asked] = {}
    for name, input_type, token, label in INPUT.findall(html):
        text = " ".join(re.sub(r"<[^>]+>", " ", label).split())
        asked.setdefault(name, Asked(name, input_type, hints.get(name, ""))).options.append((token, text))
    return address, csrf(html), list(asked.values())


def submit(client: FlaskClient, address: str, token: str, answers: dict[str, list[str]]) -> tuple[int, int, int, set[str]]:
    """Send the answers and read the result page: (score %, right, asked, fields it proves right).

    After a fail in a module with learning outcomes, the page lists only questions on the missed outcomes,
    so a field it leaves out was answered right; full marks prove every field right."""
    response = client.post(address, data={"csrf_token": token, **answers})
    assert response.status_code == 302, f"the answers were refused: {response.status_code}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    percent, right, total = (int(n) for n in SCORE.search(page).groups())
    listed = {f"answer-{n}" for n in LISTED.findall(page)}
    every = {f"answer-{n}" for n in range(1, total + 1)}
    proven = every if right == total else every - listed if "What to look at again" in page else set()
    return percent, right, total, proven


def let_try_again(learner: User, module: Module, trainer: User) -> None:
    """A trainer's reset, so the sample need not wait out the rules (their time is counted separately)."""
    attempt_policy.reset(db.session, learner, module.id, trainer.id)


# --- the attackers ----------------------------------------------------------------------------------

class BlindScript:
    """Guesses from form structure and result pages alone: no question text, no option labels, no outcome names."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.known: dict[tuple[str, tuple[str, ...]], bool] = {}  # (field, tokens chosen) -> right?, as the old engine let one learn
        self.seen: set[tuple[str, str]] = set()
        self.shown = self.repeats = 0  # (field, token) pairs shown, and how many an earlier attempt had shown
        # (input type, option count, position picked or number of boxes ticked) -> [credit, uses]
        self.stats: dict[tuple[str, int, int], list[float]] = defaultdict(lambda: [0.0, 0])

    def choose(self, asked: list[Asked]) -> dict[str, list[str]]:
        """An answer known right for this field; else the best-scoring position (or number of boxes), avoiding known wrongs."""
        answers = {}
        for item in asked:
            tokens = [token for token, _label in item.options]
            self.shown += len(tokens)
            self.repeats += sum((item.field, t) in self.seen for t in tokens)
            self.seen.update((item.field, t) for t in tokens)
            count, checkbox = len(tokens), item.input_type == "checkbox"
            choices = [tuple(tokens[i] for i in range(count) if m >> i & 1) for m in range(1, 2 ** count)] if checkbox else [(t,) for t in tokens]
            right = [c for c in choices if self.known.get((item.field, c))]
            left = [c for c in choices if self.known.get((item.field, c)) is not False] or choices
            arm = self.best(item.input_type, count, sorted({len(c) if checkbox else tokens.index(c[0]) for c in left}))
            fitting = [c for c in left if (len(c) if checkbox else tokens.index(c[0])) == arm]
            answers[item.field] = list(right[0] if right else self.rng.choice(fitting))
        return answers

    def best(self, input_type: str, count: int, arms: list[int]) -> int:
        """Mostly the arm (position, or number of boxes) that has earned most credit for this shape; sometimes explore."""
        tried = [a for a in arms if self.stats[(input_type, count, a)][1]]
        if not tried or self.rng.random() < 0.3:
            return self.rng.choice(arms)
        return max(tried, key=lambda a: self.stats[(input_type, count, a)][0] / self.stats[(input_type, count, a)][1])

    def second_of_two(self) -> tuple[int, int]:
        """(times it picked the lower of a two-option radio pair, times it met one): true/false keeps its order."""
        first, second = (self.stats[("radio", 2, n)][1] for n in (0, 1))
        return second, first + second

    def learn(self, asked: list[Asked], answers: dict[str, list[str]], right: int, proven: set[str]) -> None:
        """Credit each choice: 1 when the page proved it right (unlisted under missed outcomes, or full marks),
        0 when proven wrong (a score of 0) or when the page lists questions by outcome, else the attempt's score."""
        for item in asked:
            tokens, chosen = [token for token, _label in item.options], answers[item.field]
            arm = len(chosen) if item.input_type == "checkbox" else tokens.index(chosen[0])
            credit = 1.0 if item.field in proven else 0.0 if proven or right == 0 else right / len(asked)
            stats = self.stats[(item.input_type, len(tokens), arm)]
            stats[0], stats[1] = stats[0] + credit, stats[1] + 1
            if item.field in proven or right == 0:
                self.known[(item.field, tuple(chosen))] = item.field in proven


def test_wise(asked: list[Asked]) -> dict[str, list[str]]:
    """The longest option; 'False' for true or false; every option but the shortest when several may be right."""
    answers = {}
    for item in asked:
        by_length = sorted(item.options, key=lambda option: len(option[1]))
        if item.hint == kind_named("true_false").label:
            answers[item.field] = [t for t, label in item.options if label == "False"]
        elif item.input_type == "checkbox":
            answers[item.field] = [t for t, _label in by_length[1:]]
        else:
            answers[item.field] = [by_length[-1][0]]
    return answers


def run_sample(app: Flask, module: Module, learner: User, trainer: User, attempts: int, choose, learn=None) -> Tally:
    """Real attempts through the app: start, read the page, answer, read the result; reset between them."""
    client, tally = signed_in(app, learner), Tally()
    for _ in range(attempts):
        address, token, asked = open_attempt(client, module.slug)
        answers = choose(asked)
        percent, right, total, proven = submit(client, address, token, answers)
        if learn:
            learn(asked, answers, right, proven)
        tally.attempts += 1
        tally.passed += passes(right, total, module.current_version.pass_mark)
        tally.percent += percent
        let_try_again(learner, module, trainer)
    return tally


# --- the exact chance and the clock -----------------------------------------------------------------

RULES = ("uniform", "best blind")  # uniform guesses; or each shape's best fixed blind choice


def shape(question: dict) -> tuple[str, int] | None:
    """What a blind script can tell a question by: two options in a fixed order, boxes of n; None when shuffled radios."""
    kind = kind_named(question["kind"])
    if not kind.shuffles_options:
        return ("true/false", 2)
    return ("boxes", len(question["options"])) if kind.multiple_answers else None


def blind_hit(question: dict, key: dict, arm: int) -> Fraction:
    """The chance a blind choice is right: true/false's place `arm`, or `arm` boxes ticked at random."""
    correct, options = key[question["id"]]["correct"], question["options"]
    if shape(question)[0] == "true/false":
        return Fraction(int(correct == [options[arm]["id"]]))
    return Fraction(int(len(correct) == arm), math.comb(len(options), arm))


def best_blind(version: ModuleVersion) -> dict[tuple[str, int], int]:
    """Each shape's best fixed blind choice over the pool: what a blind script can learn at most."""
    groups: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for question in version.scored_questions:
        if shape(question):
            groups[shape(question)].append(question)
    arms = {("true/false", 2): range(2)}
    return {s: max(arms.get(s, range(1, s[1] + 1)), key=lambda a: sum(blind_hit(q, version.answer_key, a) for q in qs))
            for s, qs in groups.items()}


def question_chance(question: dict, key: dict, best: dict[tuple[str, int], int] | None) -> Fraction:
    """A blind guess's chance of being right: uniform, or (with `best`) its shape's best fixed blind choice."""
    if best is not None and shape(question):
        return blind_hit(question, key, best[shape(question)])
    count = len(question["options"])
    return Fraction(1, 2 ** count - 1) if kind_named(question["kind"]).multiple_answers else Fraction(1, count)


def pass_chance(version: ModuleVersion, rule: str) -> tuple[Fraction, Fraction]:
    """(chance of passing, expected score as a fraction) per attempt under a blind rule, averaged over SEEDS draws."""
    questions, key = {q["id"]: q for q in version.scored_questions}, version.answer_key
    best = best_blind(version) if rule == "best blind" else None
    total_pass = total_score = Fraction(0)
    for n in range(SEEDS):
        asked = sorted(item["question"] for item in draw(version, f"attack-{n}"))  # order does not change the chance
        chances = tuple(question_chance(questions[question_id], key, best) for question_id in asked)
        total_pass += at_least(chances, version.pass_mark)
        total_score += sum(chances) / len(chances)
    return total_pass / SEEDS, total_score / SEEDS


@functools.cache
def at_least(chances: tuple[Fraction, ...], pass_mark: int) -> Fraction:
    """The exact chance that enough independent guesses are right to pass."""
    right = [Fraction(1)]  # right[k]: chance of exactly k right so far
    for p in chances:
        right = [(right[k] if k < len(right) else 0) * (1 - p) + (right[k - 1] * p if k else 0) for k in range(len(right) + 1)]
    return sum(c for k, c in enumerate(right) if passes(k, len(chances), pass_mark))


def failing_schedule(version: ModuleVersion, learner: User, attempts: int) -> list[dt.datetime]:
    """When a learner who fails every time can sit each attempt, by the real retry rules on a simulated clock."""
    clock, times = CLOCK_START, []
    while len(times) < attempts:
        gate = attempt_policy.retry_gate(db.session, learner, version, now=clock)
        if gate.reason in ("limit", "wait"):
            clock = gate.until
        elif gate.reason == "review":
            read_module(db.session, learner, version)  # the pages are opened at once: a script reads nothing
        else:
            seed = new_seed()
            db.session.add(Attempt(user_id=learner.id, version_id=version.id, seed=seed, drawn=draw(version, seed), started_at=clock,
                                   submitted_at=clock, answers={}, correct_count=0, question_count=len(version.scored_questions), score=0, passed=False))
            db.session.commit()
            times.append(clock)
    return times


def attempt_moment(times: list[dt.datetime], n: float) -> dt.timedelta:
    """When the n-th attempt (counting from 1) can be sat, extending the simulated schedule by its period."""
    per_cycle = next(k for k in range(1, len(times) // 2) if len({times[i + k] - times[i] for i in range(len(times) - k)}) == 1)
    cycle = times[per_cycle] - times[0]
    whole, rest = divmod(math.ceil(n) - 1, per_cycle)
    return whole * cycle + (times[rest] - times[0])


def within_week(p: Fraction, attempts: int) -> float:
    """1 - (1 - p)^attempts, accurate for tiny p."""
    return -math.expm1(attempts * math.log1p(-float(p)))


# --- the report -------------------------------------------------------------------------------------

@dataclass
class Figures:
    """Everything measured for one module."""

    slug: str
    blind: Tally
    script: BlindScript
    wise: Tally
    times: list[dt.datetime]  # when a learner failing every time may sit each attempt
    chances: dict[str, tuple[Fraction, Fraction]]  # blind rule -> (pass chance per attempt, expected score)
    shape: str  # questions asked of the pool, and how many right to pass

    @property
    def week(self) -> int:
        return sum(t - self.times[0] < WEEK for t in self.times)


def attack_module(app: Flask, module: Module, organisation, trainer: User, blind_n: int, wise_n: int) -> Figures:
    """Both attackers through the app, the exact chances and the simulated clock, for one module."""
    version = db.session.get(ModuleVersion, module.current_version_id)
    script = BlindScript(random.Random(module.slug))
    blind = run_sample(app, module, make_user(db.session, organisation), trainer, blind_n, script.choose, script.learn)
    wise = run_sample(app, module, make_user(db.session, organisation), trainer, wise_n, test_wise)
    times = failing_schedule(version, make_user(db.session, organisation), 30)
    chances = {rule: pass_chance(version, rule) for rule in RULES}
    asked = question_count(version)
    need = next(c for c in range(asked + 1) if passes(c, asked, version.pass_mark))
    return Figures(module.slug, blind, script, wise, times, chances, f"{asked} of {len(version.scored_questions)}, {need} to pass")


def print_blind(rows: list[Figures]) -> None:
    print("blind script through the app (reads no content; learns from scores, remembers field + tokens and positions)")
    print(f"{'module':25s} {'attempts':>8s} {'passed':>7s} {'score':>6s} {'uniform':>8s} {'best blind':>10s} {'tokens shown before':>20s} "
          f"{'picked 2nd of 2':>16s}")
    for row in rows:
        second, pairs = row.script.second_of_two()
        print(f"{row.slug:25s} {row.blind.attempts:8d} {row.blind.passed / row.blind.attempts:7.1%} {row.blind.percent / row.blind.attempts:5.1f}% "
              f"{float(row.chances['uniform'][1]):8.1%} {float(row.chances['best blind'][1]):10.1%} "
              f"{f'{row.script.repeats} of {row.script.shown}':>20s} {f'{second} of {pairs}':>16s}")


def print_exact(rows: list[Figures]) -> None:
    print("\nblind guesser, exact (default rules simulated with attempt_policy.retry_gate: attempts within 7 days in brackets)")
    print(f"{'module':25s} {'asked':17s} {'rule':10s} {'pass/attempt':>12s} {'mean attempts':>13s} {'days':>10s} {'P(pass in 7 days)':>22s}")
    for row in rows:
        for rule, (p, _score) in row.chances.items():
            mean = 1 / p if p else math.inf
            days = attempt_moment(row.times, mean).total_seconds() / 86400 if p else math.inf
            print(f"{row.slug:25s} {row.shape:17s} {rule:10s} {float(p):12.3e} {float(mean):13.3e} {days:10.3e} "
                  f"{f'{within_week(p, row.week):.2e} ({row.week})':>22s}")


def print_wise(rows: list[Figures]) -> None:
    print("\ntest-wise guesser through the app (longest option; 'False'; all but the shortest)")
    print(f"{'module':25s} {'attempts':>8s} {'passed':>7s} {'score':>6s}  goal < 35%")
    for row in rows:
        score = row.wise.percent / row.wise.attempts
        print(f"{row.slug:25s} {row.wise.attempts:8d} {row.wise.passed / row.wise.attempts:7.1%} {score:5.1f}%  {verdict(score < 35)}")


def print_goals(rows: list[Figures]) -> None:
    worst = max(within_week(p, row.week) for row in rows for p, _score in row.chances.values())
    print(f"\ngoal: the blind script cannot pass within 7 days (< 1%): worst module and rule {worst:.2e}: {verdict(worst < 0.01)}")
    wise = max(row.wise.percent / row.wise.attempts for row in rows)
    print(f"goal: the test-wise guesser scores below 35% on every module: highest mean {wise:.1f}%: {verdict(wise < 35)}")


def verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="30 blind and 20 test-wise attempts per module, not 200 and 100")
    args = parser.parse_args()
    blind_n, wise_n = (30, 20) if args.quick else (200, 100)
    began = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        app = make_instance(Path(scratch))
        organisation = make_organisation(db.session)
        trainer = make_user(db.session, organisation, Role.TRAINER)
        rows = [attack_module(app, module, organisation, trainer, blind_n, wise_n)
                for module in db.session.scalars(select(Module).order_by(Module.slug))]
        db.session.remove()
        db.engine.dispose()
    for show in (print_blind, print_exact, print_wise, print_goals):
        show(rows)
    print(f"\n{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
