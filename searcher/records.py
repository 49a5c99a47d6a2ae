"""Plain frozen records that cross stage borders: Document → Section → Hit → Result.

No engine object (whoosh Results, torch tensors) ever leaves the module that owns it; stages
exchange these records only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum


class DocType(str, Enum):
    """What kind of document a file is; decides which chunker splits it."""

    protocol = "protokoll"
    report = "rapport"
    other = "övrigt"


class SectionKind(str, Enum):
    """What one section is inside its document."""

    header = "header"  # a protocol's header block: place, time, members, justering
    paragraph = "paragraph"  # one § of a protocol
    heading = "heading"  # a report section under one heading
    text = "text"  # a generic block of a document of no known layout


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    """Document-level metadata, detected from the text or given by a sidecar/CLI."""

    municipality: str | None = None
    organ: str | None = None
    doc_type: str | None = None  # a DocType value
    date: str | None = None  # ISO date (YYYY-MM-DD) or year (YYYY)
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """One source file, decoded to text.

    `page_starts` holds the character offsets in `text` where pages 1, 2, … begin (empty when the
    format has no pages), so a section can say on which page it starts.
    """

    doc: str  # file name: the document's identity in every result
    text: str
    path: str = ""
    page_starts: tuple[int, ...] = ()
    meta: DocumentMeta = field(default_factory=DocumentMeta)
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One retrievable unit: a §, a report section under its heading, or a generic block.

    `text` is the clean text as indexed (furniture removed, page breaks joined) and is what a
    hit returns in full. `title` is the § title or the heading; `breadcrumb` the heading path.
    """

    section_id: str  # stable: "<doc stem>/p257", "<doc stem>/header", "<doc stem>/s012"
    doc: str
    ordinal: int  # position in the document, 0-based
    kind: str  # a SectionKind value
    title: str
    text: str
    breadcrumb: tuple[str, ...] = ()
    paragraph: str | None = None  # the § number, "257"
    dnr: str | None = None  # diarienummer as written, "2022-00295", "KS 2023/145"
    municipality: str | None = None
    organ: str | None = None
    doc_type: str | None = None
    date: str | None = None
    page: int | None = None  # 1-based page the section starts on, where known
    arende: str | None = None  # ärende kind: yttrande, remiss, motion, … where detected
    persons: tuple[str, ...] = ()  # "Name (Party), role" lines of a header block
    # Labelled sub-parts of a §: (label, start, end) character spans into `text`.
    parts: tuple[tuple[str, int, int], ...] = ()
    # Who made a yrkande, reservation, protokollsanteckning or jäv anmälan in the §:
    # (kind, name as written, party code), name '' for a party alone (chunking.protocol.speakers)
    speakers: tuple[tuple[str, str, str], ...] = ()

    def to_dict(self) -> dict:
        d = asdict(self)
        d["breadcrumb"] = list(self.breadcrumb)
        d["persons"] = list(self.persons)
        d["parts"] = [list(p) for p in self.parts]
        d["speakers"] = [list(p) for p in self.speakers]
        return d

    def part_text(self, label: str) -> str:
        """The text of the labelled sub-parts ('beslut', 'bakgrund', …), joined; '' if none."""
        return "\n\n".join(self.text[a:b] for lab, a, b in self.parts if lab == label)

    @classmethod
    def from_dict(cls, d: dict) -> Section:
        d = dict(d)
        d["breadcrumb"] = tuple(d.get("breadcrumb") or ())
        d["persons"] = tuple(d.get("persons") or ())
        d["parts"] = tuple(tuple(p) for p in d.get("parts") or ())
        d["speakers"] = tuple(tuple(p) for p in d.get("speakers") or ())
        return cls(**{k: d.get(k) for k in cls.__dataclass_fields__ if k in d})


@dataclass(frozen=True, slots=True)
class Passage:
    """A piece of a section that fits the embedding model's window; scored back to its section."""

    section_id: str
    index: int  # 0-based passage number within the section
    text: str  # what the encoder sees (title/breadcrumb prefixed), without the model prompt


@dataclass(frozen=True, slots=True)
class Hit:
    """One arm's candidate: a section and its score under that arm (higher is better)."""

    section_id: str
    score: float


@dataclass(frozen=True, slots=True)
class FusedHit:
    """A fused candidate with the per-arm evidence kept for --explain."""

    section_id: str
    score: float
    lexical_rank: int | None = None  # 1-based, None when the arm did not return it
    lexical_score: float | None = None
    semantic_rank: int | None = None
    semantic_score: float | None = None
    # The fusion's inputs for this candidate: (feature name, value) pairs, for --explain.
    features: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True, slots=True)
class Result:
    """What a search returns: the whole section plus its rank, score and arm evidence."""

    rank: int
    score: float
    section: Section
    lexical_rank: int | None = None
    lexical_score: float | None = None
    semantic_rank: int | None = None
    semantic_score: float | None = None
    mode: str = "hybrid"
    features: tuple[tuple[str, float], ...] = ()  # the fusion's inputs (hybrid only)

    def to_dict(self) -> dict:
        """The JSON shape of a hit (`--json`, the library API, evaluate.py)."""
        d = {"rank": self.rank, "score": round(self.score, 6), "mode": self.mode}
        d.update(self.section.to_dict())
        d["lexical_rank"] = self.lexical_rank
        d["lexical_score"] = None if self.lexical_score is None else round(self.lexical_score, 6)
        d["semantic_rank"] = self.semantic_rank
        d["semantic_score"] = (
            None if self.semantic_score is None else round(self.semantic_score, 6)
        )
        d["features"] = {name: round(v, 6) for name, v in self.features}
        return d


@dataclass(frozen=True, slots=True)
class KnownDocument:
    """What the writer needs to know about an indexed document to decide whether to redo it."""

    doc: str
    path: str
    sha256: str
    fingerprint: str
    source: bytes | None
