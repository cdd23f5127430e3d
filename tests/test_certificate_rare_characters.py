"""Certificates print every character a Chinese name may hold: CJK Extension B and beyond
(𠮷, U+20BB7) come from the fallback fonts (Debian's fonts-hanazono: HanaMinA/B), embedded."""

import datetime
import io
import re
import subprocess

import pytest
from fontTools.ttLib import TTFont
from pypdf import PdfReader

from cases.models import CertificateKind
from cases.services.certificates import certificate_issue, certificate_render_pdf
from cases.services.registrations import registration_change_status
from tests.factories import SchoolClassFactory, SchoolFactory, register_student

RARE = "\U00020bb7"  # 𠮷, CJK Extension B


def drawn_glyphs(pdf):
    """{character: (font, glyph name, contours)} for every character on the first page, read
    from the embedded fonts themselves: the glyph a character maps to (ToUnicode → CID → glyph
    of the embedded TrueType) and whether it has an outline. A missing glyph is .notdef."""
    found = {}
    fonts = PdfReader(io.BytesIO(pdf)).pages[0]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity"
        embedded = TTFont(io.BytesIO(descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()))
        order = embedded.getGlyphOrder()
        cmap = font["/ToUnicode"].get_object().get_data().decode()
        for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
            for cid, utf16 in re.findall(r"<([0-9a-f]+)>\s*<([0-9a-f]+)>", block):
                char = bytes.fromhex(utf16).decode("utf-16-be")
                name = order[int(cid, 16)]
                found[char] = (str(font["/BaseFont"]), name, embedded["glyf"][name].numberOfContours)
    return found


@pytest.mark.django_db
def test_a_diploma_for_a_name_with_an_extension_b_character_draws_it_from_the_embedded_fallback(tmp_path):
    school = SchoolFactory(category="1", name="城关区第一初级中学")
    registration = register_student(school_class=SchoolClassFactory(school=school, cohort=2023), name=f"{RARE}野家明")
    registration_change_status(acting_user=None, registration=registration, status="graduated",
                               occurred_on=datetime.date(2026, 7, 1), reason="毕业")
    certificate = certificate_issue(acting_user=None, kind=CertificateKind.DIPLOMA, student=registration.student)
    pdf = certificate_render_pdf(acting_user=None, certificate=certificate)
    path = tmp_path / "diploma.pdf"
    path.write_bytes(pdf)

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout
    assert f"{RARE}野家明" in re.sub(r"\s+", "", text.decode())
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True).stdout
    rows = [line.split() for line in fonts.splitlines()[2:]]
    fallback = [row for row in rows if "HanaMin" in row[0]]
    assert fallback and all(row[-5] == "yes" for row in fallback), fonts  # embedded (the "emb" column)
    assert any("WenQuanYi" in row[0] for row in rows)  # the rest of the page keeps the main font

    font, glyph, contours = drawn_glyphs(pdf)[RARE]
    assert "HanaMin" in font and glyph != ".notdef" and contours > 0  # an outline, not the missing-glyph box
    font, glyph, contours = drawn_glyphs(pdf)["野"]
    assert "WenQuanYi" in font and contours != 0
    # The page renders (poppler draws it without complaint).
    rendered = subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(path), str(tmp_path / "page")],
                              capture_output=True, text=True, check=True)
    assert rendered.stderr == "" and (tmp_path / "page.png").stat().st_size > 0
