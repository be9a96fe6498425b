"""The test stories of the main flows (tests/test_stories.yml), checked by `rasa test core`."""
from __future__ import annotations

import subprocess

from tests.e2e.stack import BIN, ROOT


def test_main_flows_follow_the_test_stories(tmp_path):
    from scripts.train_if_changed import train_if_changed

    model = train_if_changed(ROOT)
    run = subprocess.run(
        [str(BIN / "rasa"), "test", "core", "--model", str(model), "--stories", "tests/test_stories.yml",
         "--out", str(tmp_path), "--fail-on-prediction-errors", "--no-plot"],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    failed = tmp_path / "failed_test_stories.yml"
    details = failed.read_text() if failed.exists() else ""
    assert run.returncode == 0, f"{run.stdout[-2000:]}\n{run.stderr[-3000:]}\n{details}"
