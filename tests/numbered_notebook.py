"""A trainer's notebook whose answers begin with numbers, as real ones do ('13. This is below the 14...'),
with two knowledge checks on its first page and an assessment long enough to come in sections."""

from __future__ import annotations

from pathlib import Path

from tests.builders import KNOWLEDGE_CHECK, MULTI_QUESTION, QUESTION, settings_cell, write_notebook

SLUG = "numbers-module"
PAGE_TITLE = "1. Spotting abuse"
NUMBERED_CHECK = """### Knowledge check {#how-many}

How many women in England and Wales experience domestic abuse in their lifetime?

- [x] 1 in 4 women
  > Right. About 1 in 4 women and 1 in 7 men.
- [ ] 1 in 100 women
  > No. It is far more common than that.
"""
NUMBERED_QUESTION = """### Question {#dash-score}

A DASH checklist has 13 ticks. What does that tell you?

- [x] 13. This is below the 14 that SafeLives recommends for visible high risk
  > Right. Professional judgement can still refer the case to Marac.
- [ ] 14. Every checklist with ticks counts as high risk
  > No. The count matters, and so does your judgement.
"""
NUMBERED_EMERGENCY = """### Question {#emergency-number}

Someone is in immediate danger. Which number do you call?

- [x] 999.
  > Right. 999 is for emergencies.
- [ ] 101
  > No. 101 is for calls that are not emergencies.
"""
SCENARIO = """### Question (scenario) {#neighbour}

Sam hears shouting next door most nights and has seen bruises on the neighbour's arms.

What should Sam do first?

- [x] Tell their safeguarding lead, or call 999 if someone is in danger now
  > Right. The lead knows the local routes; 999 is for danger now.
- [ ] Wait until they are sure
  > Waiting can leave someone in danger.
"""
TRUE_FALSE = """### Question (true or false) {#coercive-control}

Controlling or coercive behaviour in a relationship is a crime.

- [x] True
  > Right. It has been an offence since 2015.
- [ ] False
  > It is an offence under the Serious Crime Act 2015.
"""
NUMBERED_OPTIONS = {"1 in 4 women", "1 in 100 women", "13. This is below the 14 that SafeLives recommends for visible high risk",
                    "14. Every checklist with ticks counts as high risk", "999.", "101"}
# The stem of each assessment question and the labels of its right and wrong answers, as a learner reads them.
RIGHT = {"A DASH checklist has 13 ticks": ["13. This is below the 14 that SafeLives recommends for visible high risk"],
         "Which number do you call?": ["999."], "Who should you tell first?": ["Your safeguarding lead"],
         "Which of these are ways to report hate crime?": ["Call 999 in an emergency", "Report online"],
         "What should Sam do first?": ["Tell their safeguarding lead, or call 999 if someone is in danger now"],
         "is a crime.": ["True"]}
WRONG = RIGHT | {"A DASH checklist has 13 ticks": ["14. Every checklist with ticks counts as high risk"],
                 "Which number do you call?": ["101"], "is a crime.": ["False"]}


def write_numbered_notebook(path: Path) -> Path:
    """The notebook: page '1. Spotting abuse' with two knowledge checks, then an assessment of six questions."""
    return write_notebook(path, f"# {PAGE_TITLE}\n\nDomestic abuse is common.", NUMBERED_CHECK, KNOWLEDGE_CHECK,
                          "# Assessment\n\nAnswer every question.", NUMBERED_QUESTION, NUMBERED_EMERGENCY, QUESTION,
                          MULTI_QUESTION, SCENARIO, TRUE_FALSE, settings=settings_cell(id=SLUG, title="Numbers module"))
