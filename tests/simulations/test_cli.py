"""Command line: launcher arguments, headless menu, output files and ``sync``."""

import json

from simulations.__main__ import build_parser, main
from simulations.outbox import Outbox


def test_cli_names_the_three_drills_menu_and_sync():
    parser = build_parser()
    for command in ("escape", "extinguisher", "confined-space", "menu", "sync"):
        assert parser.parse_args([command]).command == command
    assert parser.parse_args([]).command == "menu"
    args = parser.parse_args(["escape", "--lang", "en", "--seed", "7", "--headless"])
    assert (args.lang, args.seed, args.headless) == ("en", 7, True)


def test_headless_menu_needs_a_script(data_dir, capsys):
    assert main(["--headless"]) == 2
    assert "--headless" in capsys.readouterr().err


def test_headless_drill_writes_out_file_with_class_tags(data_dir, tmp_path, capsys):
    script = tmp_path / "lift.txt"
    script.write_text("click 752 400\nwait 20\n", encoding="utf-8")
    out = tmp_path / "results" / "run.json"
    code = main(
        [
            "escape",
            "--headless",
            "--seed",
            "1",
            "--script",
            str(script),
            "--lang",
            "en",
            "--out",
            str(out),
            "--class-name",
            "Class 3",
            "--org-code",
            "SCH-01",
        ]
    )
    assert code == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert payload["outcome"] == "lift" and payload["class_name"] == "Class 3"
    assert (tmp_path / "results" / "run.replay.json").exists()
    assert "NOT PASSED" in capsys.readouterr().out


def test_menu_starts_a_drill_from_the_keyboard(data_dir, tmp_path):
    from simulations.app import Options
    from simulations.runner import play

    script = tmp_path / "menu.txt"
    script.write_text("tap l\ntap down\ntap down\ntap return\nwait 2\n", encoding="utf-8")
    session = play(Options(drill=None, seed=0, headless=True, script=script, render_every=60))
    result = session.results[0]
    assert result.drill == "confined-space" and result.lang == "en" and result.seed == 0


def test_sync_needs_an_lms(data_dir, capsys):
    assert main(["sync"]) == 2


def test_sync_reports_what_is_still_waiting(data_dir, capsys):
    Outbox(data_dir / "outbox").put({"run_id": "00000000-0000-4000-8000-000000000001"})
    assert main(["sync", "--lms-url", "http://127.0.0.1:9", "--token", "t"]) == 1
    assert "waiting 1" in capsys.readouterr().out
