"""Load the shipped region list (GB/T 2260 codes) into the database."""

import json
from pathlib import Path

from sqlalchemy import select

from lms.extensions import db
from lms.models import Region, RegionLevel

REGIONS_FILE = Path(__file__).parent / "data" / "regions.json"


def seed_regions(path: Path = REGIONS_FILE) -> int:
    """Insert the regions that are missing; parents come before children in the file."""
    by_code = {r.code: r for r in db.session.scalars(select(Region))}
    added = 0
    for item in json.loads(path.read_text(encoding="utf-8")):
        if item["code"] in by_code:
            continue
        parent = by_code.get(item["parent"]) if item["parent"] else None
        region = Region(code=item["code"], name_zh=item["zh"], name_en=item["en"],
                        level=RegionLevel(item["level"]), parent=parent,
                        path=(parent.path if parent else "/") + item["code"] + "/")
        db.session.add(region)
        by_code[item["code"]] = region
        added += 1
    db.session.flush()
    return added


def region_by_code(code: str) -> Region | None:
    """Region with the given six-digit code."""
    return db.session.scalar(select(Region).where(Region.code == code))
