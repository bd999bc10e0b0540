"""Copy the README's pictures from the last page walk (build/page-walk/, written by
tests/browser/test_page_walk.py) into docs/screenshots/. Run the walk first, look at the pictures, then:

    .venv/bin/python -m pytest tests/browser/test_page_walk.py && .venv/bin/python scripts/refresh_screenshots.py
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WALK, DOCS = ROOT / "build" / "page-walk", ROOT / "docs" / "screenshots"
# docs name: (role folder, page picture) — the pages a newcomer to the project should see first.
CHOSEN = {
    "register": ("anonymous", "auth-register-1024"),
    "my-training": ("learner", "learn-my_training-1024"),
    "lesson-page": ("learner", "learn-lesson_page-1024"),
    "lesson-page-phone": ("learner", "learn-lesson_page-320"),
    "result": ("learner", "learn-result-1024"),
    "certificate-verify": ("learner", "certificates-verify-1024"),
    "reports-summary": ("partnership_lead", "reports-dashboard-1024"),
    "people": ("org_admin", "admin-people-1024"),
    "organisation": ("org_admin", "admin-organisation-1024"),
}


def main() -> int:
    missing = [f"{role}/{name}.jpeg" for role, name in CHOSEN.values() if not (WALK / role / f"{name}.jpeg").exists()]
    if missing:
        print(f"run the page walk first; missing from {WALK}: {', '.join(missing)}", file=sys.stderr)
        return 1
    DOCS.mkdir(parents=True, exist_ok=True)
    for old in DOCS.glob("*"):
        old.unlink()
    for docs_name, (role, name) in CHOSEN.items():
        shutil.copyfile(WALK / role / f"{name}.jpeg", DOCS / f"{docs_name}.jpeg")
    print(f"copied {len(CHOSEN)} pictures into {DOCS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
