"""Certificates: the PDF a learner downloads, and the public check that a verification code is genuine."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import select
from sqlalchemy.orm import Session

from lms.models import Channel, Completion, Organisation, User
from lms.services.periods import govuk_date, uk_date
from lms.services.standing import COUNTS

# A font with wide Unicode coverage when the system has one (Debian's fonts-dejavu), else the Vera
# font that ships inside reportlab, so a certificate can always be made.
FONT_CANDIDATES = [
    (Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"), Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")),
    (Path(pdfmetrics.__file__).resolve().parent.parent / "fonts" / "Vera.ttf",
     Path(pdfmetrics.__file__).resolve().parent.parent / "fonts" / "VeraBd.ttf"),
]
INK, BRAND = HexColor("#0b0c0c"), HexColor("#1d70b8")


@dataclass(frozen=True)
class Verification:
    """What the public verify page may say about a completion: nothing that identifies the person."""

    code: str
    module_title: str
    version_number: int | None
    completed_on: dt.date
    organisation: str
    channel: Channel


@dataclass(frozen=True)
class Certificate:
    """Everything printed on a learner's certificate."""

    verification: Verification
    learner_name: str


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper()


def _completion(session: Session, code: str) -> Completion | None:
    code = normalise_code(code)
    if not code or len(code) > 32:
        return None
    return session.scalar(select(Completion).where(Completion.verification_code == code, Completion.user_id.is_not(None), COUNTS))


def _verification(session: Session, completion: Completion) -> Verification:
    organisation = session.get(Organisation, completion.organisation_id)
    title = completion.version.title if completion.version else completion.module.title
    return Verification(completion.verification_code, title, completion.version.number if completion.version else None,
                        uk_date(completion.completed_at), organisation.name, completion.channel)


def verify(session: Session, code: str) -> Verification | None:
    """The public facts behind a verification code, or None when no completion has it."""
    completion = _completion(session, code)
    return _verification(session, completion) if completion else None


def for_owner(session: Session, code: str, user: User) -> Certificate | None:
    """The certificate for a code, only for the learner who earned it (None for anyone else)."""
    completion = _completion(session, code)
    if completion is None or completion.user_id != user.id:
        return None
    return Certificate(_verification(session, completion), user.full_name)


def name_matches(session: Session, code: str, name: str) -> bool | None:
    """Whether the name on a certificate is its holder's, without revealing the name; None for an unknown code."""
    completion = _completion(session, code)
    if completion is None:
        return None
    holder = session.get(User, completion.user_id)
    if holder is None or holder.erased_at is not None:
        return False
    return " ".join(name.split()).casefold() == " ".join(holder.full_name.split()).casefold()


@cache
def _fonts() -> tuple[str, str]:
    """Register the first available font pair once per process; returns (regular, bold) names."""
    for regular, bold in FONT_CANDIDATES:
        if regular.exists() and bold.exists():
            pdfmetrics.registerFont(TTFont("CertificateSans", str(regular)))
            pdfmetrics.registerFont(TTFont("CertificateSans-Bold", str(bold)))
            return "CertificateSans", "CertificateSans-Bold"
    return "Helvetica", "Helvetica-Bold"


def render_pdf(certificate: Certificate, site_name: str, verify_url: str) -> bytes:
    """A one-page A4 landscape certificate; the verification code is also in the document's metadata."""
    regular, bold = _fonts()
    facts = certificate.verification
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = Canvas(buffer, pagesize=(width, height))
    pdf.setTitle(f"Certificate of completion: {facts.module_title} ({facts.code})")
    pdf.setSubject(f"Verification code {facts.code}")
    pdf.setAuthor(site_name)
    pdf.setCreator(site_name)

    pdf.setStrokeColor(BRAND)
    pdf.setLineWidth(6)
    pdf.rect(28, 28, width - 56, height - 56)
    centre = width / 2

    def line(text: str, y: float, size: int, font: str = regular, colour=INK) -> None:
        while size > 9 and pdfmetrics.stringWidth(text, font, size) > width - 120:  # long names and titles shrink to fit
            size -= 1
        pdf.setFillColor(colour)
        pdf.setFont(font, size)
        pdf.drawCentredString(centre, y, text)

    line(site_name, height - 90, 16, bold, BRAND)
    line("Certificate of completion", height - 140, 32, bold)
    line("This certifies that", height - 190, 14)
    line(certificate.learner_name, height - 230, 28, bold)
    line(f"of {facts.organisation}", height - 262, 14)
    line("completed the module" if facts.channel == Channel.ELEARNING else "attended a face-to-face session of", height - 300, 14)
    line(facts.module_title, height - 336, 22, bold)
    version = f"version {facts.version_number}, " if facts.version_number else ""
    line(f"{version}on {govuk_date(facts.completed_on)}", height - 366, 14)
    line(f"Verification code: {facts.code}", 110, 14, bold)
    line(f"Check this certificate is genuine at {verify_url}", 86, 11)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
