#!/usr/bin/env python3
"""Compare PDF text extractors on the original PDFs of ../shared/protocols-dev.

    python scripts/compare_pdf_extractors.py [--extra-path DIR]

For each extractor that imports (pypdf, pypdfium2, pdfplumber; never PyMuPDF: AGPL) and each
kept PDF: seconds, characters, words cut at a line end by a hyphen ("an-" / "märkning"),
gold titles found verbatim (reading order: a title torn apart by a wrong order is not found),
running headers left (lines that recur on ≥ 40 % of pages) and the protocol chunker's § recall,
precision and Dnr accuracy on that text (through check_structure.py's scorer).
`--extra-path` adds a folder to sys.path (e.g. a `pip install --target` folder).
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEV = REPO.parent / "shared" / "protocols-dev"
HYPHEN_BREAK = re.compile(r"[a-zåäö]-\n\s*[a-zåäö]")


def pypdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def pdfium_pages(data: bytes) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def plumber_pages(data: bytes) -> list[str]:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


EXTRACTORS = {"pypdf": pypdf_pages, "pypdfium2": pdfium_pages, "pdfplumber": plumber_pages}


def running_lines(pages: list[str]) -> int:
    seen = Counter(k for p in pages for k in {ln.strip() for ln in p.splitlines() if ln.strip()})
    need = max(2, int(0.4 * len(pages)))
    return sum(1 for k, n in seen.items() if n >= need)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=DEV)
    ap.add_argument("--extra-path", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.extra_path:
        sys.path.append(str(args.extra_path))
    sys.path.insert(0, str(REPO / "scripts"))
    from check_protocols import load_checker

    from searcher.chunking import split_document
    from searcher.ingest.metadata import detect_meta
    from searcher.ingest.pdf import join_pages
    from searcher.records import Document

    checker = load_checker(args.dev)
    files = checker.load_structure(str(args.dev / "structure.json"))
    pdfs = [(f, args.dev / f["file"].replace(".txt", ".pdf")) for f in files]
    pdfs = [(f, p) for f, p in pdfs if p.suffix == ".pdf" and p.is_file()]
    print(f"{'extractor':<11} {'seconds':>7} {'chars':>8} {'hyph':>5} {'titles':>7} "
          f"{'running':>7} {'recall':>6} {'prec':>5} {'dnr':>5}")
    for name, extract in EXTRACTORS.items():
        try:
            extract(pdfs[0][1].read_bytes())
        except ImportError as e:
            print(f"{name:<11} not installed ({e.name})")
            continue
        took = chars = hyph = titles = gold_titles = running = 0
        sections = []
        for f, path in pdfs:
            data = path.read_bytes()
            t0 = time.perf_counter()
            pages = extract(data)
            took += time.perf_counter() - t0
            raw = "\n".join(pages)
            chars += len(raw)
            hyph += len(HYPHEN_BREAK.findall(raw))
            running += running_lines(pages)
            flat = " ".join(raw.split())
            for p in f["paragraphs"]:
                gold_titles += 1
                titles += " ".join(p["title"].split()) in flat
            text, starts = join_pages(pages)
            doc = Document(doc=path.name, text=text, page_starts=starts, meta=detect_meta(text))
            sections += [{**s.to_dict(), "doc": str(path)} for s in split_document(doc)]
        _, tot, _ = checker.score(sections, [f for f, _ in pdfs])
        r = checker.ratio(tot["tp"], tot["gold"])
        pr = checker.ratio(tot["tp"], tot["pred"])
        d = checker.ratio(tot["dnr_ok"], tot["tp"])
        print(f"{name:<11} {took:>7.2f} {chars:>8} {hyph:>5} {titles:>3}/{gold_titles:<3} "
              f"{running:>7} {r:>6.2f} {pr:>5.2f} {d:>5.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
