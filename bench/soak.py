"""Soak: Daphne's memory over 1,000 websocket connect/disconnect cycles after a warm-up of 2,000.

Target: within 10% of where it started. Runs the suite's soak test with the long settings (it starts its
own Redis and Daphne; needs redis-server on the PATH) and prints its figure:
    .venv/bin/python bench/soak.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    env = dict(os.environ, SOAK_WARM_UP="2000", SOAK_CYCLES="1000")
    test = "tests/reliability/test_soak.py"
    result = subprocess.run([sys.executable, "-m", "pytest", test, "-q", "-s", "-p", "no:randomly"], cwd=ROOT, env=env)
    sys.exit(result.returncode)
