"""The post's claims, judged: one register, its notes in the chapters, its table in the appendix.

`book/post_claims.yml` lists every factual claim of the post the book follows, with a
verdict and what PyTorch does today. Nothing else states a claim: the book shows the
register through three MyST directives that this extension adds.

* A note in a chapter, where the claim is demonstrated (a code cell follows it)::

      :::{post-claim} negative-step-error
      :::

  Its title is the quote, attributed to the post; its body is a verdict badge and the
  "Today" text, then whatever the directive's own content adds. Its anchor is
  `claim-<id>`, so `{ref}` can link to it.
* The errata appendix: ``:::{post-claims-table}`` writes the count of each verdict and,
  for each section of the post, a table of quote, verdict, today and a link to the note.
* ``:::{post-claim-verdicts}``: the four verdicts, each badge with what it means.

The build warns, which `-W` turns into an error, when a note names an unknown claim,
stands in another chapter than the claim's `shown_in`, appears twice, or when a claim
has no note at all.
"""

from dataclasses import dataclass
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

REGISTER = Path(__file__).resolve().parents[1] / "post_claims.yml"
CHAPTERS = "book"  # the folder of the chapters, as in their docnames ("book/tensors")

VERDICTS = {
    "right": "Right",
    "nuance": "Right, with a nuance",
    "outdated": "Outdated",
    "wrong": "Wrong",
}
MEANINGS = {
    "right": "the claim holds today;",
    "nuance": "it holds, but needs a qualification;",
    "outdated": "it was true of the PyTorch of its day, and is not any more;",
    "wrong": "it was not true then and is not now.",
}
FIELDS = ("id", "quote", "section", "verdict", "today", "shown_in")


@dataclass(frozen=True)
class Claim:
    id: str
    quote: str
    section: str
    verdict: str
    today: str
    shown_in: str
    since: str | None = None

    @property
    def label(self) -> str:
        return f"claim-{self.id}"

    @property
    def docname(self) -> str:
        return f"{CHAPTERS}/{self.shown_in}"

    @property
    def verdict_text(self) -> str:
        if self.verdict == "outdated":
            return f"Outdated since {self.since}"
        return VERDICTS[self.verdict]


def load_register(path: Path = REGISTER) -> list[Claim]:
    """The claims of `path`, in the post's order; ValueError names what is malformed."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ValueError(f"{path.name} must be a list of claims")
    claims, problems = [], []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, claim {number} ({entry.get('id', 'no id') if isinstance(entry, dict) else entry!r})"
        if not isinstance(entry, dict):
            problems.append(f"{where}: expected a mapping of fields")
            continue
        missing = [field for field in FIELDS if not str(entry.get(field) or "").strip()]
        unknown = sorted(set(entry) - set(FIELDS) - {"since"})
        if missing or unknown:
            problems.append(f"{where}: missing {missing or 'nothing'}, unknown {unknown or 'nothing'}")
            continue
        if entry["verdict"] not in VERDICTS:
            problems.append(f"{where}: verdict {entry['verdict']!r} is not one of {', '.join(VERDICTS)}")
            continue
        if (entry["verdict"] == "outdated") != bool(entry.get("since")):
            problems.append(f"{where}: `since` is required for an outdated claim, and only there")
            continue
        claims.append(Claim(**{key: str(value).strip() for key, value in entry.items()}))
    seen = set()
    for claim in claims:
        if claim.id in seen:
            problems.append(f"{path.name}: the id {claim.id!r} is used twice")
        seen.add(claim.id)
    if problems:
        raise ValueError("\n".join(problems))
    return claims


def verdict_badge(claim_or_verdict: Claim | str) -> nodes.inline:
    if isinstance(claim_or_verdict, Claim):
        verdict, text = claim_or_verdict.verdict, claim_or_verdict.verdict_text
    else:
        verdict, text = claim_or_verdict, VERDICTS[claim_or_verdict]
    return nodes.inline(text=text, classes=["verdict", f"verdict-{verdict}"])


class ClaimDirective(SphinxDirective):
    """Shared by the two directives: the register, and MyST text parsed inline."""

    @property
    def claims(self) -> dict[str, Claim]:
        return self.env.app.post_claims

    def inline(self, text: str) -> list[nodes.Node]:
        parsed, messages = self.parse_inline(text)
        return [*parsed, *messages]


class PostClaimNote(ClaimDirective):
    """The note for one claim: quote as title, verdict badge, then **Today:**."""

    required_arguments = 1
    has_content = True

    def run(self) -> list[nodes.Node]:
        claim = self.claims.get(self.arguments[0])
        if claim is None:
            logger.warning("post-claim: no claim %r in %s", self.arguments[0], REGISTER.name,
                           location=self.get_location(), type="post_claims")
            return []
        if claim.docname != self.env.docname:
            logger.warning("post-claim: %r belongs in %s (its shown_in), not here",
                           claim.id, claim.docname, location=self.get_location(), type="post_claims")
        notes = self.env.post_claim_notes
        if claim.id in notes:
            logger.warning("post-claim: %r already has a note in %s; each claim gets one",
                           claim.id, notes[claim.id], location=self.get_location(), type="post_claims")
        notes[claim.id] = self.env.docname

        target = nodes.target("", "", ids=[claim.label], names=[claim.label])
        self.state.document.note_explicit_target(target)
        note = nodes.admonition("", classes=["post-claim", f"verdict-{claim.verdict}"])
        self.set_source_info(note)
        note += nodes.title("", "“", *self.inline(claim.quote), nodes.Text("” — the post"))
        note += nodes.paragraph("", "", verdict_badge(claim), nodes.Text(" "),
                                nodes.strong(text="Today:"), nodes.Text(" "),
                                *self.inline(claim.today))
        if self.content:
            self.state.nested_parse(self.content, self.content_offset, note)
        return [target, note]


class claim_link(nodes.Inline, nodes.TextElement):
    """A link to a claim's note, filled in once every chapter's title and number is known."""


class PostClaimsTable(ClaimDirective):
    """The errata appendix: counts per verdict, then one table per section of the post."""

    def run(self) -> list[nodes.Node]:
        claims = list(self.claims.values())
        counts = nodes.paragraph("", f"{len(claims)} claims: ")
        for number, verdict in enumerate(VERDICTS):
            if number:
                counts += nodes.Text(" · ")
            counts += [nodes.strong(text=str(sum(c.verdict == verdict for c in claims))),
                       nodes.Text(" "), verdict_badge(verdict)]
        result = [counts]
        for section in dict.fromkeys(claim.section for claim in claims):
            result += [nodes.rubric(text=section),
                       self.table([c for c in claims if c.section == section])]
        return result

    def table(self, claims: list[Claim]) -> nodes.table:
        widths = (30, 14, 42, 14)
        group = nodes.tgroup(cols=len(widths))
        group += [nodes.colspec(colwidth=width) for width in widths]
        group += nodes.thead("", self.row(["The post says", "Verdict", "Today", "Shown in"]))
        body = nodes.tbody()
        for claim in claims:
            body += self.row([
                [nodes.Text("“"), *self.inline(claim.quote), nodes.Text("”")],
                [verdict_badge(claim)],
                self.inline(claim.today),
                [claim_link("", claim.id, claim_id=claim.id)],
            ])
        group += body
        # colwidths-given: Sphinx writes the widths above, so every section's table lines up.
        return nodes.table("", group, classes=["post-claims", "colwidths-given"])

    @staticmethod
    def row(cells) -> nodes.row:
        row = nodes.row()
        for cell in cells:
            content = [nodes.Text(cell)] if isinstance(cell, str) else cell
            row += nodes.entry("", nodes.paragraph("", "", *content))
        return row


class PostClaimVerdicts(SphinxDirective):
    """The four verdicts, each badge with what it means, as a list."""

    def run(self) -> list[nodes.Node]:
        items = nodes.bullet_list()
        for verdict, meaning in MEANINGS.items():
            items += nodes.list_item("", nodes.paragraph(
                "", "", verdict_badge(verdict), nodes.Text(f": {meaning}")))
        return [items]


def load(app: Sphinx) -> None:
    try:
        app.post_claims = {claim.id: claim for claim in load_register()}
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"the claims register {REGISTER} cannot be used:\n{error}") from error
    if not hasattr(app.env, "post_claim_notes"):
        app.env.post_claim_notes = {}


def purge_doc(app: Sphinx, env, docname: str) -> None:
    notes = getattr(env, "post_claim_notes", {})
    for claim_id in [c for c, doc in notes.items() if doc == docname]:
        del notes[claim_id]


def merge_notes(app: Sphinx, env, docnames, other) -> None:
    env.post_claim_notes.update(getattr(other, "post_claim_notes", {}))


def check_every_claim_has_a_note(app: Sphinx, env) -> None:
    for claim in app.post_claims.values():
        if claim.id not in env.post_claim_notes:
            logger.warning("claim %r of %s has no {post-claim} note (it should be in %s)",
                           claim.id, REGISTER.name, claim.docname, type="post_claims")


def resolve_claim_links(app: Sphinx, doctree: nodes.document, fromdocname: str) -> None:
    env = app.env
    for link in list(doctree.findall(claim_link)):
        claim = app.post_claims[link["claim_id"]]
        title = env.titles[claim.docname].astext() if claim.docname in env.titles else claim.shown_in
        number = env.toc_secnumbers.get(claim.docname, {}).get("")
        text = f"{'.'.join(map(str, number))}. {title}" if number else title
        uri = app.builder.get_relative_uri(fromdocname, claim.docname) + "#" + claim.label
        link.replace_self(nodes.reference("", text, refuri=uri, internal=True))


def setup(app: Sphinx) -> dict:
    app.add_directive("post-claim", PostClaimNote)
    app.add_directive("post-claims-table", PostClaimsTable)
    app.add_directive("post-claim-verdicts", PostClaimVerdicts)
    app.add_node(claim_link)
    app.connect("builder-inited", load)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_notes)
    app.connect("env-check-consistency", check_every_claim_has_a_note)
    app.connect("doctree-resolved", resolve_claim_links)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
