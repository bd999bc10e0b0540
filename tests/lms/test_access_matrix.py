"""Does every report, export and admin page let in exactly the right roles, for their own organisation
or partnership only, with another organisation's ids answering 'not found'?"""

from __future__ import annotations

import pytest

from lms.models import Role
from tests.builders import make_department
from tests.conftest import csrf_token
from tests.lms.reporting_builders import World, make_module, signed_in

LEARNER, TRAINER, ORG_ADMIN, LEAD, SITE_ADMIN = (r.value for r in Role)
ROLES = (LEARNER, TRAINER, ORG_ADMIN, LEAD, SITE_ADMIN)


def expect(learner, trainer, org_admin, lead, site_admin) -> dict[str, int]:
    return dict(zip(ROLES, (learner, trainer, org_admin, lead, site_admin), strict=True))


# {a}: the person's own organisation; {b}: another organisation in their partnership; {c}: another partnership's
GET_ROUTES = [
    ("/reports/", expect(403, 403, 200, 200, 200)),
    ("/reports/?period=2025-26", expect(403, 403, 200, 200, 200)),
    ("/reports/?organisation={a}", expect(403, 403, 200, 200, 200)),
    ("/reports/?organisation={b}", expect(403, 403, 404, 200, 200)),
    ("/reports/?organisation={c}", expect(403, 403, 404, 404, 200)),
    ("/reports/export/counts.csv?period=2025-26-Q3", expect(403, 403, 200, 200, 200)),
    ("/reports/export/types.xlsx?period=2025-26", expect(403, 403, 200, 200, 200)),
    ("/reports/export/modules.csv", expect(403, 403, 200, 200, 200)),
    ("/reports/export/trend.xlsx", expect(403, 403, 200, 200, 200)),
    ("/reports/export/compliance.csv", expect(403, 403, 200, 200, 200)),
    ("/reports/export/counts.csv?organisation={c}", expect(403, 403, 404, 404, 200)),
    ("/reports/export/learners.csv", expect(403, 403, 200, 404, 404)),
    ("/reports/export/learners.csv?organisation={a}", expect(403, 403, 200, 404, 200)),
    ("/reports/export/learners.xlsx?organisation={c}", expect(403, 403, 404, 404, 200)),
    ("/admin/", expect(403, 200, 200, 200, 200)),
    ("/admin/sessions", expect(403, 200, 200, 403, 200)),
    ("/admin/sessions/new", expect(403, 200, 200, 403, 200)),
    ("/admin/api-tokens", expect(403, 403, 403, 200, 200)),
    ("/admin/partnerships/new", expect(403, 403, 403, 403, 200)),
    ("/admin/organisations/new", expect(403, 403, 403, 403, 200)),
    ("/admin/organisations/{a}", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{b}", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{c}", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/edit", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/edit", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/people", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/people", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/people/import", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/people/import", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/departments/new", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/departments/new", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/join-codes/new", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/join-codes/new", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/domains/new", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/domains/new", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/{a}/assignments/new", expect(403, 403, 200, 403, 200)),
    ("/admin/organisations/{c}/assignments/new", expect(403, 403, 404, 403, 200)),
    ("/admin/organisations/999999", expect(403, 403, 404, 403, 404)),
]


@pytest.fixture
def world(session):
    world = World(session)
    make_module(session)
    session.commit()
    return world


@pytest.mark.parametrize("role", ROLES)
def test_does_each_role_reach_exactly_its_pages(app, world, role):
    client = signed_in(app, f"{role}@alpha.example")
    ids = {"a": world.a.id, "b": world.b.id, "c": world.c.id}
    wrong = []
    for template, expected in GET_ROUTES:
        path = template.format(**ids)
        status = client.get(path).status_code
        if status != expected[role]:
            wrong.append(f"{path}: {status}, expected {expected[role]}")
    assert wrong == []


def test_is_nobody_signed_out_let_in(client, world):
    for template, _expected in GET_ROUTES:
        response = client.get(template.format(a=world.a.id, b=world.b.id, c=world.c.id))
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def _post(client, path: str, data: dict | None = None) -> int:
    token = csrf_token(client.get("/admin/").get_data(as_text=True))
    return client.post(path, data={"csrf_token": token, **(data or {})}).status_code


def test_are_another_organisations_records_not_found_for_an_organisation_admin(app, session, world):
    from tests.builders import make_assignment, make_email_domain, make_join_code
    module = make_module(session, "Other module")
    code = make_join_code(session, world.c, "CHARLIE-CODE")
    domain = make_email_domain(session, world.c, "charlie.example")
    assignment = make_assignment(session, module, world.c)
    make_department(session, world.c)
    session.commit()
    client = signed_in(app, "organisation_admin@alpha.example")
    assert _post(client, f"/admin/join-codes/{code.id}/revoke") == 404
    assert _post(client, f"/admin/domains/{domain.id}/remove") == 404
    assert _post(client, f"/admin/assignments/{assignment.id}/remove") == 404
    assert _post(client, f"/admin/people/{world.other_learner.id}/active", {"active": "0"}) == 404
    assert _post(client, "/admin/people/999999/active", {"active": "0"}) == 404
    session.refresh(world.other_learner)
    assert world.other_learner.active and code.revoked_at is None


def test_does_a_lead_see_only_their_partnership_and_tokens(app, session, world):
    from lms.services.api_tokens import create_token
    _plain, theirs = create_token(session, "Away BI", partnership=world.away)
    session.commit()
    client = signed_in(app, "partnership_lead@alpha.example")
    page = client.get("/reports/?period=2025-26").get_data(as_text=True)
    assert "Home Partnership" in page and "Charlie Council" not in page
    assert "Away BI" not in client.get("/admin/api-tokens").get_data(as_text=True)
    assert _post(client, f"/admin/api-tokens/{theirs.id}/revoke") == 404


@pytest.mark.parametrize(("role", "admin", "reports"), [
    (LEARNER, False, False), (TRAINER, True, False), (ORG_ADMIN, True, True), (LEAD, True, True), (SITE_ADMIN, True, True),
])
def test_do_the_navigation_links_follow_the_role(app, world, role, admin, reports):
    page = signed_in(app, f"{role}@alpha.example").get("/my-training").get_data(as_text=True)
    assert (">Admin<" in page, ">Reports<" in page) == (admin, reports)
