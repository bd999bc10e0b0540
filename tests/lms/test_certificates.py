"""Does a learner get a certificate only they can download, and can anyone check it is genuine?"""

from __future__ import annotations

import datetime as dt

import pytest

from lms.models import User
from lms.services.completions import record_attendance
from lms.services.throttling import NAME_CHECK_LIMIT
from tests.builders import make_completion, make_organisation, make_training_session, make_user, publish_module
from tests.conftest import ROOT, csrf_token, sign_in

EARNED = dt.datetime(2026, 7, 1, 23, 30)  # 2 July in the UK (BST), which is the date a certificate shows


@pytest.fixture
def earned(session, tmp_path):
    module = publish_module(session, ROOT / "tests" / "data" / "tiny-module", tmp_path / "build")
    council = make_organisation(session, name="Testville Council")
    learner = make_user(session, council, email="amal@example.org")
    learner.full_name = "Amal Okafor"
    completion = make_completion(session, learner, module, EARNED)
    session.commit()
    return completion


def test_can_the_learner_download_their_certificate_as_a_pdf(client, earned):
    sign_in(client, "amal@example.org")
    response = client.get(f"/certificates/{earned.verification_code}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-") and earned.verification_code.encode() in response.data
    assert f'filename="certificate-{earned.verification_code}.pdf"' in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


def test_is_another_learners_certificate_not_found(client, session, earned):
    make_user(session, email="other@example.org")
    session.commit()
    sign_in(client, "other@example.org")
    assert client.get(f"/certificates/{earned.verification_code}.pdf").status_code == 404
    assert client.get("/certificates/NOSUCHCODE23.pdf").status_code == 404


def test_does_a_certificate_need_signing_in(client, earned):
    response = client.get(f"/certificates/{earned.verification_code}.pdf")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_does_the_public_verify_page_confirm_the_facts_and_nothing_personal(client, earned):
    response = client.get(f"/verify/{earned.verification_code.lower()}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "This certificate is genuine" in html
    for fact in ("Tiny module", "2 July 2026", "Testville Council", earned.verification_code, "Online module and assessment"):
        assert fact in html
    assert "Amal" not in html and "amal@example.org" not in html


def test_does_an_unknown_code_get_a_clear_not_found_page(client, earned):
    response = client.get("/verify/NOSUCHCODE23")
    assert response.status_code == 404 and "Certificate not found" in response.get_data(as_text=True)
    assert client.get("/verify/" + "X" * 300).status_code == 404


def test_can_a_verifier_check_the_name_without_the_page_revealing_it(client, earned):
    path = f"/verify/{earned.verification_code}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    right = client.post(path, data={"name": "  amal   OKAFOR ", "csrf_token": token}).get_data(as_text=True)
    assert "matches this certificate" in right
    wrong = client.post(path, data={"name": "Someone Else", "csrf_token": token}).get_data(as_text=True)
    assert "does not match this certificate" in wrong and "Okafor" not in wrong
    empty = client.post(path, data={"name": "", "csrf_token": token}).get_data(as_text=True)
    assert "Enter the name shown on the certificate" in empty and 'href="#name"' in empty


def test_are_name_guesses_against_one_certificate_limited(client, earned):
    path = f"/verify/{earned.verification_code}"
    token = csrf_token(client.get(path).get_data(as_text=True))
    for attempt in range(NAME_CHECK_LIMIT):
        page = client.post(path, data={"name": f"Guess {attempt}", "csrf_token": token}).get_data(as_text=True)
        assert "does not match this certificate" in page
    locked = client.post(path, data={"name": "Amal Okafor", "csrf_token": token}).get_data(as_text=True)
    assert "Too many names have been checked" in locked and "matches this certificate" not in locked
    assert "This certificate is genuine" in client.get(path).get_data(as_text=True)  # the facts stay public


def test_does_a_face_to_face_attendance_have_a_certificate_too(client, session, earned):
    learner = session.get(User, earned.user_id)
    training = make_training_session(session, earned.module, learner.organisation, dt.date(2026, 9, 14))
    attendance = record_attendance(session, learner, training)
    session.commit()
    html = client.get(f"/verify/{attendance.verification_code}").get_data(as_text=True)
    assert "Face-to-face session" in html and "14 September 2026" in html and "Face-to-face training" in html
    sign_in(client, "amal@example.org")
    assert client.get(f"/certificates/{attendance.verification_code}.pdf").data.startswith(b"%PDF-")
