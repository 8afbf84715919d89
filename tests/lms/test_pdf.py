"""The core PDF module: byte-stable output, an embedded CJK subset, tables and QR codes that render."""

import subprocess

from PIL import Image
from reportlab.platypus import Paragraph

from lms import pdf

from support import ARTIFACTS


def sample() -> bytes:
    s = pdf.styles()
    story = [Paragraph("安全生产培训证明", s["title"]),
             pdf.table(["姓名", "课程"], [["王安全", "有限空间作业安全"]], [40, 80]),
             pdf.qr_code("https://lms.example/verify/ABC123")]
    return pdf.render(story, title="样例", footer_text="页脚 footer")


def test_same_inputs_give_the_same_bytes():
    assert sample() == sample()


def test_the_cjk_font_is_embedded_as_a_subset_and_the_text_reads_back(tmp_path):
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    line = next(row for row in fonts.splitlines() if "MicroHei" in row)
    assert "+" in line.split()[0]  # a subset tag such as AAAAAA+WenQuanYiMicroHei
    assert " yes yes " in line  # embedded, subset
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "安全生产培训证明" in text and "王安全" in text and "页脚 footer" in text


def test_the_page_renders_with_a_qr_code(tmp_path):
    path = tmp_path / "sample.pdf"
    path.write_bytes(sample())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-singlefile", str(path),
                    str(ARTIFACTS / "pdf-sample")], check=True)
    image = Image.open(ARTIFACTS / "pdf-sample.png").convert("L")
    dark = sum(image.histogram()[:64])
    assert dark > 500  # the QR modules and the text are on the page
