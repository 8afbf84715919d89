"""Batch printing: many certificates in one print-ready PDF, two to an A4 page.

A batch is drawn in parts of CHUNK certificates, each a small PDF of its own made by a worker
process (signature, QR code, photo and drawing: everything but the database), and the parts are
joined into one file as they come, in order (certificates.pdf_join), so memory holds a few parts,
never the document. The same parts are made in this process when there is one worker, so both
give the same bytes.
"""

import io
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path
from typing import BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from certificates import signing
from certificates.models import Certificate
from certificates.pdf import (
    CARD_H,
    Sheet,
    _canvas,
    _cut_line,
    _draw_sheet,
    _draw_watermark,
    _load_photo,
    qr_key_of,
    qr_runs,
    sheet_for,
)
from certificates.pdf_fonts import fonts
from lms import pdf
from lms.extensions import db
from lms.storage import FileStore, current_store

#: Certificates per part of a batch (loaded in one query, drawn by one worker); even, so a part
#: never splits a sheet of paper.
CHUNK = 200


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _load(ids: list[int]) -> list[Certificate]:
    rows = db.session.scalars(select(Certificate).where(Certificate.id.in_(ids)).options(
        selectinload(Certificate.person), selectinload(Certificate.events))).all()
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in ids if i in by_id]


_worker: dict = {}


def _worker_init(instance_path: str, store: FileStore) -> None:
    _worker.update(instance=instance_path, store=store)


@dataclass(frozen=True)
class _Job:
    """One certificate of a batch part, with all it needs from the database."""

    sheet: Sheet
    url: str
    fields: list[str]
    kid: str
    watermark: str | None


def _render_part(jobs: list[_Job]) -> bytes:
    """The certificates of ``jobs``, two to an A4 page, as a PDF (a page saying so when none)."""
    buffer = io.BytesIO()
    canvas = _canvas(buffer, "证书打印 Certificates")
    for index, job in enumerate(jobs):
        key = signing.private_key(job.kid, _worker.get("instance"))
        text = f"{job.url}?t={signing.sign_fields(job.fields, key)}"
        sheet = replace(job.sheet, qr_text=text)
        photo = _load_photo(_worker["store"], sheet.photo_digest) if sheet.photo_digest else None
        half = index % 2
        if half == 0 and index:
            canvas.showPage()
        y0 = CARD_H * (1 - half)
        _draw_sheet(canvas, sheet, y0, qr_runs(text), photo)
        if job.watermark:
            _draw_watermark(canvas, job.watermark, y0)
        if half == 0:
            _cut_line(canvas)
    if not jobs:
        canvas.setFont(fonts()[0], 12)
        canvas.drawString(pdf.MARGIN, A4[1] - 30 * mm, "没有可打印的证书 No certificates to print")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_batch(certs: Iterable[Certificate | int], out: str | Path | BinaryIO, *,
                 watermarks: dict[int, str] | None = None, workers: int | None = None,
                 progress=None) -> int:
    """Write the certificates (records or ids, in order) to ``out`` as one print PDF, two to an
    A4 page; return how many were drawn.

    Records are loaded CHUNK at a time; each chunk becomes a part drawn by one of ``workers``
    processes (default: the usable cores; 1 draws here), and the parts are joined into ``out`` as
    they come, so memory holds a few parts, not the document. ``progress(count)`` is called after
    each part. CHUNK is even, so parts never split a sheet of paper.
    """
    from flask import current_app

    from certificates.pdf_join import PdfJoiner

    watermarks = watermarks or {}
    workers = workers if workers is not None else min(len(os.sched_getaffinity(0)), 4)
    kid = signing.current_key_id()
    store = current_store()
    fonts()
    _worker_init(current_app.instance_path, store)
    # Spawned, not forked: a web server's other threads may hold locks (the font caches', the
    # logging module's) at the moment of a fork, and a forked worker would wait on them forever.
    pool = (ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                initializer=_worker_init, initargs=(current_app.instance_path, store))
            if workers > 1 else None)

    def jobs_of(chunk: list) -> list[_Job]:
        records = _load([c if isinstance(c, int) else c.id for c in chunk])
        return [_Job(sheet_for(c, qr_text=""), signing.verify_url(c.number or ""),
                     signing.payload_fields(c, qr_key_of(c) or kid), qr_key_of(c) or kid,
                     watermarks.get(c.id)) for c in records]

    owned = not hasattr(out, "write")
    stream = open(out, "wb") if owned else out  # noqa: SIM115  (closed below)
    drawn = 0
    try:
        joiner = PdfJoiner(stream)
        pending: deque = deque()
        chunks = _chunks(certs, CHUNK)
        while True:
            # Keep every worker busy one part ahead while the finished parts are joined.
            while len(pending) < max(workers, 1) + 1 and (chunk := next(chunks, None)) is not None:
                jobs = jobs_of(chunk)
                pending.append((len(jobs), pool.submit(_render_part, jobs) if pool else jobs))
            if not pending:
                break
            count, part = pending.popleft()
            joiner.add(part.result() if pool else _render_part(part))
            drawn += count
            if progress is not None:
                progress(drawn)
        if not drawn:
            joiner.add(_render_part([]))
        joiner.close("证书打印 Certificates")
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
        if owned:
            stream.close()
    return drawn
