"""What a function instance sets up when it starts, checked in a fresh interpreter as Cloud Functions has."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from shared.interpreter import YOUNG_GENERATION_THRESHOLD

ROOT = Path(__file__).resolve().parents[3]


def test_a_cold_start_raises_the_young_generation_threshold() -> None:
    probe = "import gc, functions.main; print(gc.get_threshold()[0])"
    started = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    assert int(started.stdout.split()[-1]) == YOUNG_GENERATION_THRESHOLD
