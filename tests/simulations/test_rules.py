"""Rule values are data with a tag and a source; drill rules need no pygame."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from simulations import rules

PACKAGE = Path(rules.__file__).parent
FORBIDDEN = {
    "flask",
    "flask_babel",
    "sqlalchemy",
    "flask_sqlalchemy",
    "lms",
    "courses",
    "exams",
    "certificates",
    "requests",
    "numpy",
}


def test_every_rule_has_a_tag_and_a_source():
    for section, key, entry in rules.entries():
        assert entry["tag"] in {"C", "S", "U", "D"}, (section, key)
        assert entry["source"].strip(), (section, key)
        assert "value" in entry, (section, key)


def test_confined_space_thresholds_match_domain_reference():
    cs = rules.section("confined_space")
    assert (cs["oxygen_pct_min"], cs["oxygen_pct_max"]) == (19.5, 23.5)
    assert cs["lel_pct_max"] == 10.0
    assert cs["h2s_mg_m3_max"] == 10.0
    assert cs["co_mg_m3_max"] == 20.0
    assert cs["test_max_age_min"] == 30
    assert cs["test_levels"] == ["top", "middle", "bottom"]


def test_extinguisher_rules_match_domain_reference():
    ex = rules.section("extinguisher")
    assert (ex["distance_m_min"], ex["distance_m_max"]) == (3.0, 5.0)
    assert 10 <= ex["discharge_s"] <= 20
    assert ex["steps"] == ["lift", "pin", "aim", "squeeze", "sweep"]
    effects = ex["effects"]
    assert set(effects) == set("ABCDEF")
    for fire_class, table in effects.items():
        assert set(table) == set(ex["agents"]), fire_class
    assert effects["E"]["water"] == "shock" and effects["B"]["water"] == "flare"
    assert effects["F"]["water"] == "flare" and effects["D"]["d_special"] == "effective"
    assert [a for a, e in effects["C"].items() if e == "effective"] == ["abc_powder", "co2"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_simulations_imports_no_web_packages(path):
    assert not (_imports(path) & FORBIDDEN)


@pytest.mark.parametrize("drill", ["escape", "extinguisher", "confined_space"])
def test_drill_models_do_not_import_pygame(drill):
    assert "pygame" not in _imports(PACKAGE / drill / "model.py")
    code = (
        f"import sys, simulations.{drill}.model, simulations.results, simulations.client; "
        "sys.exit('pygame' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=PACKAGE.parent).returncode == 0


def test_importing_the_package_starts_no_pygame():
    code = "import sys, simulations, simulations.__main__; sys.exit('pygame' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False, cwd=PACKAGE.parent).returncode == 0
