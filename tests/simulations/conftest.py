"""Fixtures for the drill simulations: headless SDL, compiled catalogs, drill runners."""

import os

# Before anything imports pygame: no window, no sound device, no banner.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from pathlib import Path

import pytest

from simulations import i18n

SCRIPTS = Path(i18n.__file__).parent / "scripts"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
TILE = 32


def _compile_catalogs() -> None:
    """Compile .po to .mo like ``pybabel compile -d simulations/locale -D drills``."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for lang in i18n.LANGUAGES:
        folder = i18n.LOCALE_DIR / lang / "LC_MESSAGES"
        po, mo = folder / "drills.po", folder / "drills.mo"
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as src:
            catalog = read_po(src)
        with mo.open("wb") as dst:
            write_mo(dst, catalog)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs():
    """Make sure the tests run with compiled catalogs, as an installed package does."""
    _compile_catalogs()
    i18n._translators.clear()
    yield
    i18n.set_language(i18n.DEFAULT_LANGUAGE)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A private SAFETY_DRILL_HOME for results and the outbox."""
    home = tmp_path / "drill-home"
    monkeypatch.setenv("SAFETY_DRILL_HOME", str(home))
    monkeypatch.delenv("LMS_URL", raising=False)
    monkeypatch.delenv("LMS_TOKEN", raising=False)
    return home


@pytest.fixture
def play(data_dir, tmp_path):
    """Run one drill headless from script text; return the Session."""
    from simulations.app import Options
    from simulations.runner import play as run_session

    def _play(drill, seed, script="", lang="en", **options):
        path = tmp_path / f"script-{drill}-{seed}.txt"
        path.write_text(script, encoding="utf-8")
        opts = Options(
            drill=drill,
            seed=seed,
            lang=lang,
            headless=True,
            script=path,
            render_every=options.pop("render_every", 30),
            **options,
        )
        return run_session(opts)

    return _play


@pytest.fixture(scope="session")
def screenshots():
    """Where screenshots for human review go (git-ignored build/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture
def tile_click():
    """Return the script line that clicks the centre of an escape-map tile."""
    return lambda col, row: f"click {col * TILE + TILE // 2} {row * TILE + TILE // 2}"


@pytest.fixture
def script_file():
    """Read one of the bundled demonstration scripts."""
    return lambda name: (SCRIPTS / name).read_text(encoding="utf-8")


TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
    "integer": int,
    "number": (int, float),
}


def _schema_errors(value, schema, path="$"):
    """Check the subset of JSON Schema 2020-12 our schema uses; return error strings."""
    import re

    errors = []
    expected = schema.get("type")
    if expected:
        ok = isinstance(value, TYPES[expected]) and not (
            expected in ("integer", "number") and isinstance(value, bool)
        )
        if not ok:
            return [f"{path}: expected {expected}, got {type(value).__name__}"]
    if "const" in schema and value != schema["const"]:
        errors.append(f"{path}: must be {schema['const']!r}")
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not in {schema['enum']}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0) or len(value) > schema.get("maxLength", 1e9):
            errors.append(f"{path}: bad length")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{path}: does not match {schema['pattern']}")
    if isinstance(value, (int, float)) and value < schema.get("minimum", float("-inf")):
        errors.append(f"{path}: below minimum")
    if isinstance(value, dict):
        errors += [f"{path}: missing {k}" for k in schema.get("required", []) if k not in value]
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                errors += _schema_errors(item, props[key], f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                errors.append(f"{path}: unexpected {key}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += _schema_errors(item, schema["items"], f"{path}[{i}]")
    return errors


@pytest.fixture(scope="session")
def result_schema():
    import json

    from simulations.results import SCHEMA_PATH

    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@pytest.fixture
def schema_errors(result_schema):
    """Return the validation errors of a payload against drill_result.schema.json."""
    return lambda payload: _schema_errors(payload, result_schema)
