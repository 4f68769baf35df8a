"""The claims register (book/post_claims.yml) against the post, the chapters and the built book.

The register lists every factual claim of the post the book follows; each chapter shows
its claims in `{post-claim}` notes, and the errata appendix is generated from it. These
tests check that each quote is the post's own words (where the post is at hand, in
../shared/seed/), that every claim has exactly one note, in its chapter, followed by code
that demonstrates it, that nothing else in the book speaks for the post, and that the
built pages show each note and each row of the appendix.
"""

import importlib.util
import json
import re
from pathlib import Path

import pytest

from test_book_browser import built_book, toc_docnames  # noqa: F401  (a fixture, shared)

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SEED = ROOT.parent / "shared" / "seed"


def load_extension():
    spec = importlib.util.spec_from_file_location("post_claims", BOOK / "_ext" / "post_claims.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


post_claims = load_extension()
CLAIMS = post_claims.load_register()
CHAPTERS = [name.removeprefix("book/") for name in toc_docnames() if (ROOT / f"{name}.ipynb").exists()]
NOTE = re.compile(r"^:::\{post-claim\}[ \t]+(\S+)[ \t]*$", re.MULTILINE)
ERA_BOX = re.compile(r"^:::\{admonition\}[^\n]*\n:class: era-code\n(.*?)^:::$", re.MULTILINE | re.DOTALL)


def normalise(text: str) -> str:
    """Letters and digits only, lower case: what is left of a quote without markup,
    spacing and punctuation."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


def post_text() -> str:
    """The post's words, without the Markdown export's attribute blocks ({.markup--code})
    and with its no-break spaces made plain."""
    files = sorted(SEED.glob("*.txt")) if SEED.is_dir() else []
    if not files:
        pytest.skip(f"the post is not at hand here ({SEED} is missing), so quotes cannot be checked")
    text = files[0].read_text(encoding="utf-8").replace("\N{NO-BREAK SPACE}", " ")
    return re.sub(r"\{[#.][^}]*\}", "", text)


def cells(chapter: str) -> list[dict]:
    return json.loads((BOOK / f"{chapter}.ipynb").read_text(encoding="utf-8"))["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def book_pages() -> dict[str, str]:
    """The markdown text of every page: each chapter's markdown cells, and the .md pages."""
    pages = {chapter: "\n".join(source(c) for c in cells(chapter) if c["cell_type"] == "markdown")
             for chapter in CHAPTERS}
    pages.update({path.stem: path.read_text(encoding="utf-8") for path in BOOK.glob("*.md")})
    return pages


# The register itself ------------------------------------------------------------------

def test_the_register_covers_the_whole_post():
    assert len(CLAIMS) >= 20, "the post makes more claims than the register lists"
    assert {claim.verdict for claim in CLAIMS} == set(post_claims.VERDICTS)


@pytest.mark.parametrize("claim", CLAIMS, ids=lambda claim: claim.id)
def test_claim_fields(claim):
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", claim.id), "an id is a lower-case slug"
    assert claim.verdict in post_claims.VERDICTS
    assert claim.shown_in in CHAPTERS, f"{claim.shown_in!r} is not a chapter notebook in _toc.yml"
    assert not re.search(r"[.!?]\s+[A-Z]", claim.quote), "a quote is one sentence or less"
    sentences = re.findall(r"[.!?][”\"')]?(?=\s|$)", claim.today)
    assert 1 <= len(sentences) <= 2, "`today` says what PyTorch does now in one or two sentences"
    if claim.verdict == "outdated":
        assert re.search(r"\d", claim.since), "an outdated claim says since which release"


def test_a_malformed_register_is_refused_with_its_reason(tmp_path):
    register = tmp_path / "claims.yml"
    register.write_text("- id: x\n  quote: q\n  section: s\n  verdict: maybe\n  today: t.\n  shown_in: tensors\n")
    with pytest.raises(ValueError, match="verdict 'maybe' is not one of right, nuance, outdated, wrong"):
        post_claims.load_register(register)
    register.write_text("- id: x\n  quote: q\n  section: s\n  verdict: outdated\n  today: t.\n  shown_in: tensors\n")
    with pytest.raises(ValueError, match="`since` is required for an outdated claim"):
        post_claims.load_register(register)


# The register against the post ---------------------------------------------------------

@pytest.mark.parametrize("claim", CLAIMS, ids=lambda claim: claim.id)
def test_quote_is_the_posts_own_words(claim):
    assert normalise(claim.quote) in normalise(post_text()), (
        f"{claim.quote!r} is not in the post (ignoring markup, spacing and punctuation)")


def test_sections_are_the_posts_headings_in_its_order():
    post = post_text()
    headings = re.findall(r"^### (.+?)\s*$", post, re.MULTILINE)
    sections = list(dict.fromkeys(claim.section for claim in CLAIMS))
    assert set(sections) <= set(headings), set(sections) - set(headings)
    assert sections == [h for h in headings if h in sections], "sections follow the post's order"
    for claim in CLAIMS:
        start = post.index(f"### {claim.section}")
        end = post.find("\n### ", start + 1)
        assert normalise(claim.quote) in normalise(post[start:end]), (
            f"{claim.id}: the quote is not under the heading {claim.section!r}")


def test_claims_follow_the_posts_order():
    post = normalise(post_text())
    positions = [post.index(normalise(claim.quote)) for claim in CLAIMS]
    assert positions == sorted(positions)


# The register against the chapters -----------------------------------------------------

@pytest.mark.parametrize("chapter", CHAPTERS)
def test_each_note_is_followed_by_code_that_shows_it(chapter):
    chapter_cells = cells(chapter)
    for index, cell in enumerate(chapter_cells):
        if cell["cell_type"] != "markdown":
            continue
        text = source(cell)
        for match in NOTE.finditer(text):
            claim_id = match.group(1)
            closing = text.find("\n:::", match.end())
            assert closing != -1 and not text[closing + 4:].strip(), (
                f"{chapter}, cell {index}: the note on {claim_id!r} must end its markdown cell")
            following = chapter_cells[index + 1] if index + 1 < len(chapter_cells) else None
            assert following is not None and following["cell_type"] == "code", (
                f"{chapter}, cell {index}: the note on {claim_id!r} must be followed by a code cell")
            tags = set(following.get("metadata", {}).get("tags", []))
            assert not tags & {"remove-cell", "remove-input", "hide-input"}, (
                f"{chapter}, cell {index + 1}: the code that shows {claim_id!r} must be visible")
            assert following.get("execution_count") is not None, (
                f"{chapter}, cell {index + 1}: run the notebook (make notebooks)")


def test_every_claim_has_one_note_in_its_chapter_and_every_note_a_claim():
    notes = [(match.group(1), chapter) for chapter, text in book_pages().items()
             for match in NOTE.finditer(text)]
    ids = {claim.id: claim for claim in CLAIMS}
    assert [n for n, _ in notes if n not in ids] == [], "notes that name no claim of the register"
    noted = [n for n, _ in notes]
    assert sorted(n for n in set(noted) if noted.count(n) > 1) == [], "claims with two notes"
    assert sorted(set(ids) - set(noted)) == [], "claims without a note"
    assert [(n, c) for n, c in notes if ids[n].shown_in != c] == [], "notes outside their shown_in"


def test_nothing_else_speaks_for_the_post():
    for page, text in book_pages().items():
        assert ":class: errata" not in text, f"{page}: an errata note written by hand; use {{post-claim}}"
        assert not re.search(r"2018(-era)? account|the account", text), (
            f"{page}: call it the post, and do not date it")
        for box in ERA_BOX.findall(text):
            assert "the post" not in box.lower(), f"{page}: a 'Code of that era' box speaks of the post"


# The built book ------------------------------------------------------------------------

def test_built_chapters_show_each_note(built_book):  # noqa: F811
    for claim in CLAIMS:
        page = (built_book / "book" / f"{claim.shown_in}.html").read_text(encoding="utf-8")
        note = re.search(rf'<div class="post-claim verdict-{claim.verdict} admonition" '
                         rf'id="{claim.label}">(.*?)</div>', page, re.DOTALL)
        assert note, f"{claim.shown_in}.html has no note with the anchor {claim.label}"
        words = normalise(re.sub(r"<[^>]+>", "", note.group(1)))
        assert normalise(claim.quote) in words and normalise(claim.verdict_text) in words


def test_built_appendix_lists_every_claim_with_a_link_to_its_note(built_book):  # noqa: F811
    page = (built_book / "book" / "errata.html").read_text(encoding="utf-8")
    rows = re.findall(r"<tr class=\"row-(?:odd|even)\"><td>(.*?)</tr>", page, re.DOTALL)
    assert len(rows) == len(CLAIMS)
    for claim, row in zip(CLAIMS, rows):
        assert normalise(claim.quote) in normalise(re.sub(r"<[^>]+>", "", row))
        assert f'href="{claim.shown_in}.html#{claim.label}"' in row
    counts = re.search(r"<p>(\d+) claims: (.*?)</p>", page, re.DOTALL)
    assert counts and int(counts.group(1)) == len(CLAIMS)
    for verdict in post_claims.VERDICTS:
        number = sum(claim.verdict == verdict for claim in CLAIMS)
        assert re.search(rf"<strong>{number}</strong> <span class=\"verdict verdict-{verdict}\">",
                         counts.group(2)), f"the count of {verdict!r} claims"
