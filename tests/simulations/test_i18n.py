"""Catalogs: every string on screen has a Chinese translation; compiled .mo are used."""

import shutil

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from simulations import i18n


def source_msgids():
    found = extract_from_dir(str(i18n.LOCALE_DIR.parent), keywords={"_": None, "N_": None})
    return {message for _file, _line, message, _comments, _ctx in found}


def catalog(lang):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "drills.po").open("rb") as fh:
        return read_po(fh)


def test_source_strings_are_found():
    ids = source_msgids()
    assert len(ids) > 150 and "Fire escape" in ids and "" not in ids


@pytest.mark.parametrize("lang", i18n.LANGUAGES)
def test_every_source_string_is_in_the_catalog(lang):
    present = {m.id for m in catalog(lang) if m.id}
    assert source_msgids() - present == set()


def test_every_source_string_has_a_chinese_translation():
    zh = catalog("zh_CN")
    missing = [m for m in source_msgids() if not (zh.get(m) and zh.get(m).string)]
    assert missing == []


def test_compiled_catalogs_are_loaded():
    i18n.set_language("zh_CN")
    assert i18n.catalog_source() == "mo"
    assert i18n._("Fire escape") == "火灾逃生自救"
    i18n.set_language("en")
    assert i18n._("Fire escape") == "Fire escape"
    assert i18n.translate("Passed", "zh_CN") == "通过"


def test_source_checkout_without_mo_compiles_the_po_in_memory(tmp_path, monkeypatch):
    copy = tmp_path / "locale"
    shutil.copytree(i18n.LOCALE_DIR, copy, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "LOCALE_DIR", copy)
    i18n.set_language("zh_CN")
    assert i18n.catalog_source() == "po" and i18n._("Passed") == "通过"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError):
        i18n.set_language("fr")


def test_bundled_font_has_chinese_glyphs():
    import pygame

    from simulations.engine.text import font_path

    assert "/usr/share" not in font_path()
    pygame.font.init()
    font = pygame.font.Font(font_path(), 24)
    for ch in "火灾逃生有限空间✔✘≤":
        metrics = font.metrics(ch)[0]
        assert metrics is not None and metrics[4] > 0, ch
    # Missing glyphs all render as the same box; real glyphs differ from each other.
    shapes = {pygame.image.tobytes(font.render(ch, False, (255, 255, 255)), "RGB") for ch in "火水安全"}
    assert len(shapes) == 4
