"""Command line: ``python -m simulations`` / ``safety-drill``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from simulations import DRILLS, __version__
from simulations.i18n import LANGUAGES

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def build_parser() -> argparse.ArgumentParser:
    """Describe the command line."""
    parser = argparse.ArgumentParser(prog="safety-drill", description="Work-safety drills.")
    parser.add_argument(
        "command",
        nargs="?",
        choices=(*DRILLS, "menu", "sync"),
        default="menu",
        help="a drill, 'menu' (default) or 'sync' to send waiting results",
    )
    parser.add_argument("--version", action="version", version=__version__)
    parser.add_argument("--lang", choices=LANGUAGES, default="zh_CN")
    parser.add_argument("--seed", type=int, help="seed for a reproducible run")
    parser.add_argument("--floorplan", default="school", help="escape drill plan: school|office")
    parser.add_argument("--headless", action="store_true", help="no window (SDL dummy driver)")
    parser.add_argument("--script", type=Path, help="scripted input file (see README)")
    parser.add_argument("--replay", type=Path, help="re-run a replay file and check its result")
    parser.add_argument("--watch", action="store_true", help="show a replay in a window")
    parser.add_argument("--fullscreen", action="store_true")
    parser.add_argument("--out", type=Path, help="also write the result JSON here")
    parser.add_argument("--screenshot", type=Path, help="save the last frame as PNG")
    parser.add_argument("--data-dir", type=Path, help="results and outbox directory")
    parser.add_argument("--lms-url", default=os.environ.get("LMS_URL"))
    parser.add_argument("--token", default=os.environ.get("LMS_TOKEN"))
    parser.add_argument("--org-code", help="tag the result with an organisation code")
    parser.add_argument("--class-name", help="tag the result with a class")
    parser.add_argument("--participant", help="free-text participant name or number")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the launcher; return the process exit code."""
    args = build_parser().parse_args(argv)
    if args.command == "sync":
        return sync(args)
    if args.headless and args.command == "menu" and args.script is None:
        print("--headless needs a drill or a --script", file=sys.stderr)
        return 2
    return play(args)


def play(args: argparse.Namespace) -> int:
    """Run a drill, the menu or a replay."""
    from simulations.app import Options
    from simulations.runner import play as run_session

    tags = {
        "org_code": args.org_code,
        "class_name": args.class_name,
        "participant": args.participant,
    }
    opts = Options(
        drill=None if args.command == "menu" else args.command,
        lang=args.lang,
        seed=args.seed,
        floorplan=args.floorplan,
        headless=args.headless,
        script=args.script,
        replay=args.replay,
        watch=args.watch,
        fullscreen=args.fullscreen,
        data_dir=args.data_dir,
        out=args.out,
        screenshot=args.screenshot,
        lms_url=args.lms_url,
        token=args.token,
        tags={k: v for k, v in tags.items() if v},
    )
    session = run_session(opts)
    for result in session.results:
        verdict = "PASSED" if result.passed else "NOT PASSED"
        print(
            f"{result.drill} seed={result.seed} score={result.score}/{result.max_score} "
            f"{verdict} outcome={result.outcome} run_id={result.run_id}"
        )
    if session.expected is not None:
        return _check_replay(session)
    return 0


def _check_replay(session: object) -> int:
    results = session.results
    if not results:
        print("replay: stopped before the drill ended", file=sys.stderr)
        return 1
    if results[0].verdict() == session.expected:
        print("replay: identical result")
        return 0
    print("replay: result DIFFERS from the recorded run", file=sys.stderr)
    return 3


def sync(args: argparse.Namespace) -> int:
    """Send every waiting result; exit 1 if some are still waiting."""
    from simulations.client import ResultsClient
    from simulations.outbox import Outbox, data_home

    if not (args.lms_url and args.token):
        print("sync needs --lms-url and --token (or LMS_URL and LMS_TOKEN)", file=sys.stderr)
        return 2
    outbox = Outbox(data_home(args.data_dir) / "outbox")
    report = ResultsClient(args.lms_url, args.token, outbox).sync()
    print(
        f"delivered {len(report.delivered)}, rejected {len(report.rejected)}, waiting {len(report.pending)}"
    )
    return 1 if report.pending else 0


if __name__ == "__main__":
    sys.exit(main())
