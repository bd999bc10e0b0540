"""Can anything in a notebook run script in a learner's browser, or load from another host?"""

from __future__ import annotations

import json
import re

import pytest

from authoring import load
from authoring.bundle import bundle_contents
from authoring.sanitise import sanitise
from tests.builders import write_notebook

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=javascript:alert(1)></iframe>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">click</a>",
    "<a href=\"&#106;avascript:alert(1)\">click</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">click</a>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<input autofocus onfocus=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=https://evil.example/x.css>",
    "<img src=\"https://evil.example/track.png\">",
    "<style>@import 'https://evil.example/x.css';</style>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "<p onclick=alert(1)>text</p>",
    "[click](javascript:alert(1))",
    "![x](javascript:alert(1))",
    "<scr<script>ipt>alert(1)</script>",
    "<<script>script>alert(1)</script>",
]
DANGER = re.compile(r"""<\s*(script|iframe|object|embed|style|link|meta|base|form|input|svg|math|template)\b|\son\w+\s*=|=\s*["']?\s*javascript:|(src|href)=["']?https?://evil""", re.IGNORECASE)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_does_the_sanitiser_neutralise_the_payload(payload):
    assert not DANGER.search(sanitise(payload)), sanitise(payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_does_a_built_module_carry_no_payload(tmp_path, payload):
    path = write_notebook(tmp_path / "m.ipynb", f"# Page\n\n{payload}\n\nText", "### Knowledge check\n\n" + payload + " Which?\n\n- [x] " + payload + "\n  > " + payload + "\n- [ ] B\n  > n")
    manifest, key = bundle_contents(load(path))
    assert not DANGER.search(json.dumps(manifest)), json.dumps(manifest)
    assert not DANGER.search(json.dumps(key))


def test_is_ordinary_formatting_kept():
    html = sanitise('<p class="govuk-body">A <strong>bold</strong> <a class="govuk-link" href="https://www.gov.uk/">link</a></p>')
    assert html == '<p class="govuk-body">A <strong>bold</strong> <a class="govuk-link" href="https://www.gov.uk/" rel="noopener noreferrer">link</a></p>'
