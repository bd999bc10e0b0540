"""Do web workers stay free of nbconvert (and the zmq, tornado and jupyter_client it pulls in)?"""

from __future__ import annotations

import subprocess
import sys


def test_does_serving_a_page_import_no_notebook_conversion_stack(tmp_path):
    code = (
        "import sys; from lms import create_app\n"
        f"app = create_app({{'DATABASE_URL': 'sqlite:///{tmp_path}/x.sqlite3', 'SECRET_KEY': 'k'}})\n"
        "app.test_client().get('/sign-in')\n"
        "print(sorted(m for m in ('nbconvert', 'zmq', 'tornado', 'jupyter_client') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"LMS_INSTANCE_PATH": str(tmp_path), "PATH": ""})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
