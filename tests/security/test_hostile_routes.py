"""Does any route answer hostile input with a 500? Every GET route's query parameters, every route's path
arguments and every form field the site draws, for a visitor and for signed-in people, get control
characters, NUL, CR/LF, long strings, non-ASCII digits, encoded lone surrogates, `../` and calendar
edges. Hypothesis picks the values; the numbers of examples are small so the suite stays quick."""

from __future__ import annotations

import re
from urllib.parse import quote

from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from tests.security.conftest import World, signed_client
from tests.security.test_authorisation import _argument

FIXED = ["", "\x00", "\r\n", "a\r\nSet-Cookie: x=1", "\t", "\x1b[31m", "\x7f", "\u2028", "١٢", "²", "９", "0", "-1", "+1", " 1", "1_0",
         "9" * 30, "9223372036854775808", "../../etc/passwd", "..%2f..%2f", "/\\evil.example", "//evil.example", "%0d%0a", "%00",
         "a" * 3000, "\ud800", "\udfff", "x\ud83dy", "0001-01-01", "9999-12-31", "0001-02-Q1", "9999-00-Q4", "custom", "' OR 1=1 --",
         "<script>alert(1)</script>", "{{7*7}}", "{% raw %}", "😀" * 50, "\ufeff", "NaN", "1e309", "true", "[]", "{}"]
HOSTILE = st.one_of(st.sampled_from(FIXED), st.text(st.characters(codec=None, exclude_categories=()), max_size=30))
QUERY_NAMES = ["period", "from", "to", "organisation", "partnership", "q", "next", "page", "sort", "id"]
FORM_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"')
ROLES = ("anonymous", "learner", "org_admin", "site_admin")
SETTINGS = settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                                            HealthCheck.too_slow])


def _encoded(value: str) -> str:
    """Percent-encoded UTF-8, with lone surrogates kept as the invalid bytes a hostile client would send."""
    return quote(value.encode("utf-8", "surrogatepass"), safe="")


def _encoded_pairs(pairs: dict[str, str]) -> str:
    return "&".join(f"{_encoded(name)}={_encoded(value)}" for name, value in pairs.items())


def _value(name: str, world: World) -> str:
    try:
        return _argument(name, world, "site_admin", "own")
    except KeyError:
        return "1"  # an argument the access table does not know yet


def _path(rule, world: World, hostile: dict[str, str] | None = None) -> str:
    """The rule's path with each argument filled in: from the world, or with a hostile value."""
    def fill(match: re.Match) -> str:
        name = match.group(1)
        return _encoded(hostile[name]) if hostile and name in hostile else quote(_value(name, world), safe="/")
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", fill, rule.rule)


def _rules(app, method: str) -> list:
    return [rule for rule in app.url_map.iter_rules() if method in rule.methods and rule.endpoint != "static"]


def _server_error(response) -> bool:
    return response.status_code >= 500 or b"Traceback" in response.get_data()


def _clients(app, world: World, roles: tuple[str, ...] = ROLES) -> dict:
    return {role: signed_client(app, world.users.get(role)) for role in roles}


SHARPEST = ["²", "١٢", "9" * 30, "\x00", "a\r\nSet-Cookie: x=1", "0001-01-01"]  # always tried, in every field at once


def _sharpest(test):
    """Try the values that found bugs before in every field at once, then Hypothesis's own choices."""
    for value in SHARPEST:
        test = example(values=[value])(test)
    return test


@SETTINGS
@_sharpest
@given(values=st.lists(HOSTILE, min_size=1, max_size=4))
def test_does_every_get_route_survive_hostile_query_parameters(app, world, values):
    pairs = {name: values[i % len(values)] for i, name in enumerate(QUERY_NAMES)}
    query, wrong = _encoded_pairs({**pairs, values[-1] or "x": values[0]}), []
    for role, (client, _token) in _clients(app, world, ("anonymous", "org_admin", "site_admin")).items():
        for rule in _rules(app, "GET"):
            response = client.get(f"{_path(rule, world)}?{query}")
            if _server_error(response):
                wrong.append(f"{role} GET {rule.rule}?{query[:200]}: {response.status_code}")
    assert wrong == []


@SETTINGS
@_sharpest
@given(values=st.lists(HOSTILE, min_size=1, max_size=1))
def test_does_every_route_survive_a_hostile_path_argument(app, world, values):
    wrong = []
    client, _token = signed_client(app, world.users["site_admin"])
    for rule in _rules(app, "GET") + _rules(app, "POST"):
        for name in rule.arguments:
            path = _path(rule, world, {name: values[0]})
            response = client.open(path, method="GET" if "GET" in rule.methods else "POST")
            if _server_error(response):
                wrong.append(f"GET {path[:200]}: {response.status_code}")
    assert wrong == []


_FIELDS: list[str] = []  # the site's form field names, read once: the pages are the same for every world


def _form_fields(app, world: World) -> list[str]:
    """Every form field name on every page the site draws for these people."""
    if not _FIELDS:
        names = {"active", "role", "question", "next", "back", "reason"}
        for client, _token in _clients(app, world).values():
            for rule in _rules(app, "GET"):
                names |= set(FORM_FIELD.findall(client.get(_path(rule, world)).get_data().decode("utf-8", "replace")))
        _FIELDS.extend(sorted(names - {"csrf_token"}))
    return _FIELDS


@SETTINGS
@_sharpest
@given(values=st.lists(HOSTILE, min_size=1, max_size=6))
def test_does_every_form_survive_hostile_values_in_every_field(app, world, values):
    fields = _form_fields(app, world)
    filled = {name: values[i % len(values)] for i, name in enumerate(fields)}
    wrong, answered = [], set()
    for role, (client, token) in _clients(app, world, ("anonymous", "learner", "site_admin")).items():
        for rule in _rules(app, "POST"):
            body = _encoded_pairs({**filled, "csrf_token": token})
            response = client.post(_path(rule, world), data=body, content_type="application/x-www-form-urlencoded")
            answered.add(response.status_code)
            if _server_error(response):
                wrong.append(f"{role} POST {rule.rule}: {response.status_code}")
    assert wrong == []
    # the forms were read, not all refused by the CSRF check (a NUL anywhere is refused, by design, before any form is read)
    assert len(fields) > 20 and (answered & {200, 302} or any("\x00" in value for value in values))
