"""The real PDF: WeasyPrint output checked with poppler and fontTools, not just text extraction
(extraction succeeds even when every glyph is tofu, so the fonts themselves are checked)."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from support import complete, sign_in

from elearn.domain.people import Permission

JIS_CODE_PAGE = 1 << 17  # OS/2 ulCodePageRange1 bit 17: JIS/Japan (code page 932)
HOLDER = "髙﨑 𠮷太郎"  # 髙 and 﨑 are outside JIS X 0208; 𠮷 is outside the BMP


@pytest.fixture
def certificate_pdf(synced, client, make_user) -> tuple[bytes, object]:
    holder = make_user(name=HOLDER)
    certificate = complete(synced, holder)
    sign_in(client, holder)
    response = client.get(f"/certificates/{certificate.id}.pdf")
    assert response.status_code == 200
    return response.data, certificate


def embedded_fonts(pdf: bytes) -> dict[str, TTFont]:
    fonts = {}
    for ref in PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        fonts[str(font["/BaseFont"])] = TTFont(io.BytesIO(descriptor["/FontFile2"].get_object().get_data()))
    return fonts


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_the_pdf_embeds_a_japanese_font_declaring_the_jis_code_page(certificate_pdf, tmp_path):
    pdf, _certificate = certificate_pdf
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    mincho = [line for line in listing.splitlines() if "IPAexMincho" in line]
    assert mincho, listing
    assert re.search(r"CID TrueType\s+Identity-H\s+yes\s+yes\s+yes", mincho[0]), mincho[0]  # embedded subset
    fonts = embedded_fonts(pdf)
    japanese = next(font for name, font in fonts.items() if name.endswith("+IPAexMincho"))
    assert japanese["OS/2"].ulCodePageRange1 & JIS_CODE_PAGE


def test_every_character_of_the_holder_and_course_has_a_glyph_in_an_embedded_font(certificate_pdf):
    pdf, certificate = certificate_pdf
    covered = set()
    for font in embedded_fonts(pdf).values():
        covered |= {chr(code) for code, glyph in font.getBestCmap().items() if glyph != ".notdef"}
    wanted = set(HOLDER + certificate.course_title + "修了証書殿令和年月日") - {" "}
    assert wanted <= covered, sorted(wanted - covered)


def test_the_text_of_the_pdf_names_the_holder_the_course_and_both_calendars(certificate_pdf, tmp_path):
    pdf, certificate = certificate_pdf
    text = pdf_text(pdf, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", HOLDER) in flat
    assert "修了証書" in flat and certificate.course_title in flat and certificate.serial in flat
    day = certificate.completed_on
    assert f"{day.year}年{day.month}月{day.day}日" in flat and "令和" in flat
    assert f"/verify/{certificate.verification_code}" in flat


def _words(pdf: bytes, tmp_path) -> list[tuple[str, float, float, float, float]]:
    """(text, xMin, yMin, xMax, yMax) of every word on the page, in points from the top left."""
    path = tmp_path / "words.pdf"
    path.write_bytes(pdf)
    xhtml = subprocess.run(["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"], check=True,
                           capture_output=True).stdout.decode(errors="replace")
    return [(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', xhtml)]


def test_the_body_name_sits_on_the_holders_line_before_the_name_not_above_it(certificate_pdf, tmp_path):
    pdf, certificate = certificate_pdf
    words = _words(pdf, tmp_path)
    name = next(word for word in words if word[0] == HOLDER.split()[0])
    honorific = next(word for word in words if word[0] == "殿")
    body = min((word for word in words if word[0] == certificate.body_name), key=lambda word: word[2])
    # The same baseline as the name and its honorific (set above in small type it read as furigana) ...
    assert abs(body[4] - honorific[4]) < 1 and abs(body[4] - name[4]) < 3, (body, name)
    # ... and before the name, with a gap, not over it.
    assert body[3] + 10 < name[1], (body, name)


@pytest.mark.parametrize("name", ["ウィリアムズ　アレクサンダー", "長谷川部長代理補佐 𠮷野谷右衛門之助太郎兵衛"])
def test_a_long_name_keeps_the_body_and_the_honorific_on_its_line(synced, client, make_user, tmp_path, name):
    holder = make_user(name=name)
    certificate = complete(synced, holder)
    sign_in(client, holder)
    words = _words(client.get(f"/certificates/{certificate.id}.pdf").data, tmp_path)
    body = min((word for word in words if word[0] == certificate.body_name), key=lambda word: word[2])
    honorific = next(word for word in words if word[0] == "殿")
    assert abs(body[4] - honorific[4]) < 1, (body, honorific)  # one line: no wrap before the name or 殿


def test_the_pdf_is_rendered_again_when_the_public_url_changes(synced, client, make_user, make_app, tmp_path):
    holder = make_user()
    certificate = complete(synced, holder)
    sign_in(client, holder)
    path = f"/certificates/{certificate.id}.pdf"
    first = client.get(path)
    assert "https://elearn.pref.example.lg.jp" not in pdf_text(first.data, tmp_path)
    moved = make_app(PUBLIC_URL="https://elearn.pref.example.lg.jp/")
    moved_client = moved.test_client()
    sign_in(moved_client, holder)
    # The browser's copy is stale: the new address is on the certificate, so it is not "not modified".
    again = moved_client.get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and again.headers["ETag"] != first.headers["ETag"]
    text = re.sub(r"\s+", "", pdf_text(again.data, tmp_path))
    assert f"https://elearn.pref.example.lg.jp/verify/{certificate.verification_code}" in text
    assert client.get(path).status_code == 200  # and the old address renders its own again, too


def test_the_pdf_is_one_a4_landscape_page_with_a_vector_qr_code(certificate_pdf, tmp_path):
    pdf, _certificate = certificate_pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)
    assert len(reader.pages[0].images) == 0  # the QR code is paths, not a bitmap
    (tmp_path / "certificate.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(tmp_path / "certificate.pdf"),
                    str(tmp_path / "page")], check=True, capture_output=True)
    assert (tmp_path / "page.png").read_bytes().startswith(b"\x89PNG")


def test_the_seal_is_printed_when_the_body_has_one(synced, client, make_user):
    from PIL import Image

    admin = make_user(permissions=[(Permission.ADMIN, None)])
    seal = io.BytesIO()
    Image.new("RGBA", (240, 240), (190, 30, 30, 255)).save(seal, format="PNG")
    sign_in(client, admin)
    client.post("/admin/issuers/P000", data={"title": "みどり県知事", "name": "緑川 一郎",
                                              "seal": (io.BytesIO(seal.getvalue()), "seal.png")},
                content_type="multipart/form-data")
    certificate = complete(synced, make_user())
    pdf = client.get(f"/certificates/{certificate.id}.pdf").data
    assert len(PdfReader(io.BytesIO(pdf)).pages[0].images) == 1
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-", "-"], input=pdf, check=True,
                                             capture_output=True).stdout.decode())
    assert "みどり県知事緑川一郎" in text
