"""The certificate PDF: the embedded CJK subsets as pdffonts lists them, a page image to look at,
the QR code read back from that image, byte stability, the watermark, and batch printing."""

import re
import subprocess
from datetime import date

import pytest
import segno

from certificates import signing
from certificates.models import CertificateStatus, CertificateType
from certificates.pdf import render_certificate
from certificates.pdf_batch import render_batch
from certificates.qr import qr_matrix

from support import ARTIFACTS


def pdffonts(path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        cells = line.split()
        # name type [type2] encoding emb sub uni object ID
        rows.append({"name": cells[0], "emb": cells[-5], "sub": cells[-4], "uni": cells[-3],
                     "type": " ".join(cells[1:-6])})
    return rows


def text_of(path) -> str:
    """The text in reading order, the diagonal watermark included (-layout drops rotated text)."""
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def page_image(pdf_path, name: str, resolution: int = 110):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", str(resolution), "-f", "1", "-l", "1", "-singlefile",
                    str(pdf_path), str(stem)], check=True)
    return stem.with_suffix(".png")


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.fixture
def cert(make_cert):
    return make_cert(reissue_count=1, reviews=[(date(2028, 1, 5), date(2031, 1, 9))])


def test_the_cjk_font_is_embedded_as_subsets_and_nothing_else_is_needed(tmp_path, cert):
    path = write(tmp_path, "c.pdf", render_certificate(cert))
    fonts = pdffonts(path)
    assert fonts, "no fonts"
    for font in fonts:
        assert font["name"].split("+")[1].startswith("WenQuanYiMicroHei"), font
        assert re.fullmatch(r"[A-Z]{6}\+.+", font["name"]), font
        assert (font["type"], font["emb"], font["sub"], font["uni"]) == ("TrueType", "yes", "yes", "yes")
    # The fixed labels and the holder's values are two subsets of the bundled font.
    assert {f["name"].split("+")[1] for f in fonts} == {"WenQuanYiMicroHei-Labels-0",
                                                        "WenQuanYiMicroHei-Values-0"}


def test_page_image_shows_the_certificate_and_its_qr_reads_back(tmp_path, cert):
    path = write(tmp_path, "c.pdf", render_certificate(cert))
    text = text_of(path)
    for expected in ("中华人民共和国特种作业操作证", "王小明", cert.person.masked_id, cert.number,
                     "焊接与热切割作业", "2.1 熔化焊接与热切割作业", "2025-01-10", "2031-01-09",
                     "2028-01-10", "复审记录", "2028-01-05", "无锡市应急管理局", "补发（第1次）"):
        assert expected in text, expected
    assert cert.person.id_number not in text.replace(cert.number, "")
    image = page_image(path, "certificate-special-ops")
    scanned = subprocess.run(["zbarimg", "-q", "--raw", str(image)], capture_output=True, text=True)
    assert scanned.returncode == 0, scanned.stderr
    facts = signing.verify_payload(scanned.stdout.strip())
    assert (facts.number, facts.name) == (cert.number, "王小明")


def test_safety_qualification_and_missing_photo(tmp_path, make_cert, holder):
    holder.photo_digest = None
    qualification = make_cert(cert_type=CertificateType.SAFETY_QUALIFICATION, number="AQ320200-2025-000017",
                              expires_on=date(2028, 1, 9))
    path = write(tmp_path, "q.pdf", render_certificate(qualification))
    text = text_of(path)
    assert "安全生产知识和管理能力考核合格证" in text and "安全生产管理人员" in text
    assert "照片" in text and "复审记录" not in text
    page_image(path, "certificate-safety-qualification")


def test_the_same_record_renders_to_the_same_bytes(cert, make_cert):
    first = render_certificate(cert)
    render_certificate(make_cert(subtype="2.2"))  # other glyphs and a photo in the caches between
    assert render_certificate(cert) == first
    assert b"/CreationDate" not in first or b"D:20000101000000" in first


def test_revoked_and_cancelled_downloads_carry_the_watermark(tmp_path, make_cert):
    revoked = make_cert(status=CertificateStatus.REVOKED)
    plain = text_of(write(tmp_path, "plain.pdf", render_certificate(revoked)))
    assert "REVOKED" not in plain
    path = write(tmp_path, "revoked.pdf", render_certificate(revoked, watermark="已撤销 REVOKED"))
    assert "已撤销REVOKED" in "".join(text_of(path).split())
    page_image(path, "certificate-revoked")
    cancelled = write(tmp_path, "cancelled.pdf", render_certificate(revoked, watermark="已注销 CANCELLED"))
    assert "CANCELLED" in text_of(cancelled)


@pytest.mark.parametrize("length", [1, 17, 30, 64, 120, 250, 300, 400, 500, 700, 900, 1500])
def test_the_fast_qr_encoder_draws_what_segno_draws(length):
    text = ("https://cert.example.gov.cn/verify/T320213199001011234?t=" + "Ab9_-." * 200)[:length]
    reference = segno.make_qr(text, error="m", boost_error=False, mode="byte", mask=0)
    assert [bytes(row) for row in qr_matrix(text)] == [bytes(row) for row in reference.matrix]


def test_a_batch_prints_two_to_a_page_the_same_with_workers(tmp_path, make_cert, holder, make):
    certs = [make_cert(subtype=s) for s in ("2.1", "2.2", "2.3")]
    other = make.person("李建国", holder.employments[0].organization)
    certs.append(make_cert(other, subtype="1.2"))
    certs.append(make_cert(other, subtype="1.1", status=CertificateStatus.REVOKED))
    ids = [c.id for c in certs]
    single, parallel = tmp_path / "one.pdf", tmp_path / "two.pdf"
    seen = []
    assert render_batch(ids, single, workers=1, watermarks={ids[-1]: "已撤销 REVOKED"},
                        progress=seen.append) == 5
    assert render_batch(certs, parallel, workers=2, watermarks={ids[-1]: "已撤销 REVOKED"}) == 5
    assert seen == [5]
    assert single.read_bytes() == parallel.read_bytes()
    info = subprocess.run(["pdfinfo", str(single)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Pages:\s+3\b", info)
    text = text_of(single)
    assert text.count("中华人民共和国特种作业操作证") == 5 and text.count("REVOKED") == 1
    page_image(single, "certificates-batch")


def test_an_empty_batch_still_makes_a_pdf(tmp_path, ctx):
    out = tmp_path / "none.pdf"
    assert render_batch([], out, workers=1) == 0
    assert "No certificates to print" in text_of(out)


def test_parts_of_a_large_batch_join_into_one_sound_pdf(tmp_path, make_cert, holder, make, monkeypatch):
    import certificates.pdf_batch as batch

    monkeypatch.setattr(batch, "CHUNK", 2)
    people = [holder, make.person("李建国", holder.employments[0].organization),
              make.person("欧阳小红", holder.employments[0].organization)]
    certs = [make_cert(person, subtype=s) for person in people for s in ("1.1", "2.1")]
    certs.append(make_cert(people[0], subtype="3.1"))
    out = tmp_path / "joined.pdf"
    seen = []
    assert render_batch([c.id for c in certs], out, workers=2, progress=seen.append) == 7
    assert seen == [2, 4, 6, 7]
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True)
    assert re.search(r"Pages:\s+4\b", info.stdout) and not info.stderr
    text = subprocess.run(["pdftotext", "-raw", str(out), "-"], capture_output=True, text=True, check=True)
    assert not text.stderr
    for name in ("王小明", "李建国", "欧阳小红"):
        assert name in text.stdout
    assert text.stdout.count("中华人民共和国特种作业操作证") == 7
    fonts = pdffonts(out)
    assert len(fonts) == 8 and len({f["name"] for f in fonts}) == 8  # 2 subsets in each of 4 parts
    assert all(f["emb"] == "yes" and f["sub"] == "yes" for f in fonts)
    # Every page renders, and the last one (a part of its own) shows its certificate and QR code.
    pages = subprocess.run(["pdftoppm", "-png", "-r", "50", str(out), str(tmp_path / "p")],
                           capture_output=True, text=True)
    assert pages.returncode == 0 and not pages.stderr
    image = page_image(out, "certificates-batch-joined", resolution=110)
    assert image.exists()
    again = tmp_path / "again.pdf"
    render_batch([c.id for c in certs], again, workers=1)
    assert again.read_bytes() == out.read_bytes()
