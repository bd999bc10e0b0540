"""Are the five modules complete, accurate on the facts they must state, and readable?"""

from __future__ import annotations

import re

import pytest
import textstat

from authoring import check, load
from tests.conftest import ROOT

COURSES = ROOT / "courses"

# Facts each module must state exactly as the facts sheet (shared/facts/facts.md) gives them.
KEY_FACTS = {
    "prevent-awareness": [
        "0800 011 3764", "18001 101", "0800 789 321", "Section 26 of the Counter-Terrorism and Security Act 2015",
        "The Prevent duty came into force on 1 July 2015 for most specified authorities", "18 September 2015", "31 December 2023", "refreshed CONTEST in July 2023",
        "intervene early to support people who are susceptible to radicalisation", "Most Prevent referrals do not go to Channel",
        "The panel is chaired by the local authority", "Workshop to Raise Awareness of Prevent", "National Prevent Referral Form",
    ],
    "domestic-abuse-risk": [
        "both people are aged 16 or over", "economic abuse", "Domestic Abuse, Stalking and 'Honour'-based violence",
        "It has 24 questions.", "14 or more 'yes' answers", "three incidents in 12 months", "0808 2000 247", "press 55",
        "all 43 police forces in England and Wales", "Right to Ask", "Right to Know",
    ],
    "serious-organised-crime": [
        "08000 121 700", "0800 555 111", "Section 52 of the Modern Slavery Act 2015", "1 November 2015",
        "Gangmasters and Labour Abuse Authority (GLAA)", "Single Competent Authority", "Nationality and Borders Act 2022",
        "Children do not need to consent", "There is no set distance",
    ],
    "hate-crime": [
        "disability, race, religion, sexual orientation or transgender identity", "3 June 2023",
        "section 66 of the Sentencing Code", "1 December 2020", "sections 145 and 146 of the Criminal Justice Act 2003",
        "report-it.org.uk", "Police, Crime, Sentencing and Courts Act 2022",
    ],
    "prevent-city-businesses": [
        "0800 011 3764", "0800 789 321", "gov.uk/ACT", "Section 26 of the Counter-Terrorism and Security Act 2015",
        "may also inform best practice", "3 April 2025", "at least 24 months", "do not need to pay consultants",
        "On 13 March 2023, CPNI became the National Protective Security Authority (NPSA)",
        "press 55", "do not use a mobile or radio close to the item", "cover from view is not cover from gunfire",
    ],
}
# Wrong or out-of-date versions of facts that must never appear.
NEVER = ["the police record the offence as a hate crime", "listen to the call taker", "0800 0324 539", "0800 012 1700", "35 days", "Protect Duty requires", "CPNI recommends", "100 or more people"]
PRIORITY = {"prevent-awareness": "counter-terrorism", "domestic-abuse-risk": "domestic-abuse", "serious-organised-crime": "serious-organised-crime",
            "hate-crime": "hate-crime", "prevent-city-businesses": "counter-terrorism"}


def module_text(path) -> str:
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    return "\n\n".join("".join(c.source) for c in notebook.cells if c.cell_type == "markdown")


def plain(text: str) -> str:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # link targets
    text = re.sub(r"\{\{[^}]*\}\}", "the local team", text)
    return re.sub(r"[#>*`|\[\]_-]+", " ", text)


def test_do_all_five_modules_pass_check_with_no_problems():
    assert [str(p) for p in check([COURSES])] == []


@pytest.mark.parametrize("module_id", sorted(KEY_FACTS))
def test_is_the_module_complete_and_accurate(module_id):
    module = load(COURSES / f"{module_id}.ipynb")
    settings = module.settings
    assert settings.id == module_id and settings.priority_area == PRIORITY[module_id]
    assert settings.pass_mark == 80 and settings.refresher_months == 24 and 20 <= settings.estimated_minutes <= 40
    assert settings.guidance and all(g["url"].startswith("https://") for g in settings.guidance)
    assert 6 <= len(module.pages) <= 12
    scored = [q for q in module.questions if q.scored]
    assert len(scored) >= 10
    assert sum(q.kind.case_study for q in scored) >= 3, "several assessment questions must be scenarios"
    assert all(o.feedback for q in module.questions for o in q.options), "every option needs feedback"
    assert len([q for q in module.questions if not q.scored]) >= 3
    titles = [re.sub(r"<[^>]+>", "", p.title).lower() for p in module.pages]
    assert any("who to contact" in t for t in titles) and any("references" in t for t in titles) and any("glossary" in t for t in titles)
    text = module_text(module.path)
    assert "call 999" in text.lower()
    for fact in KEY_FACTS[module_id]:
        assert fact in text, f"{module_id} must state: {fact}"
    for wrong in NEVER:
        assert wrong not in text, f"{module_id} states an unverified or outdated fact: {wrong}"
    if settings.content_note:
        assert "{{staff_support}}" in text


@pytest.mark.parametrize("module_id", sorted(KEY_FACTS))
def test_is_the_module_written_in_plain_english(module_id):
    ease = textstat.flesch_reading_ease(plain(module_text(COURSES / f"{module_id}.ipynb")))
    print(f"{module_id}: Flesch reading ease {ease:.1f}")
    assert ease >= 50
