"""Imports point certificates -> exams -> courses -> lms, and the drills import none of them."""

import subprocess
import sys
from pathlib import Path

from support import ROOT


def test_import_contracts_hold():
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", "pyproject.toml"], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 2 kept, 0 broken" in result.stdout


def test_code_passes_ruff():
    ruff = Path(sys.executable).with_name("ruff")
    paths = ["lms", "courses", "exams", "certificates", "simulations", "tests", "benchmarks",
             "migrations"]
    result = subprocess.run([str(ruff), "check", "--output-format", "concise",
                             *[p for p in paths if (ROOT / p).exists()]],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
