"""The demo partnerships' names and local details: one home, read by `lms demo` and by the Jupyter preview.

These are VALUES for the placeholders (what a partnership fills `{{prevent_team}}` with). Which
placeholders exist and what each means live in `authoring.placeholders`; a placeholder a demo
partnership leaves unset shows the LMS's usual hint, as it would for a real partnership.
"""

from __future__ import annotations

# slug -> (partnership name, placeholder values)
DEMO_PARTNERSHIPS: dict[str, tuple[str, dict[str, str]]] = {
    "safer-york": ("Safer York Partnership", {
        "prevent_team": "City of York Council's Prevent lead, through the council's safeguarding team",
        "community_safety_team": "Safer York Partnership community safety team",
    }),
    "north-yorkshire": ("North Yorkshire Community Safety Partnership", {
        "community_safety_team": "North Yorkshire Community Safety Partnership team",
    }),
    "city-of-london": ("Safer City Partnership", {
        "community_safety_team": "City of London Safer City Partnership team",
    }),
}
DEMO_PARTNERSHIP = "safer-york"  # the one the Jupyter preview shows


def demo_values(slug: str = DEMO_PARTNERSHIP) -> dict[str, str]:
    """What a learner in this demo partnership sees for each placeholder it sets, its name included."""
    name, values = DEMO_PARTNERSHIPS[slug]
    return {"partnership_name": name, **values}
