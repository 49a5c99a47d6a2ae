#!/usr/bin/env python3
"""Score the protocol chunker on ../shared/protocols-dev with its own check_structure.py.

    python scripts/check_protocols.py                 # engine: index + `searcher sections --json`
    python scripts/check_protocols.py --direct        # chunker only (same sections, no index)
    python scripts/check_protocols.py --files         # also the per-file table

Two runs over the 19 protocols: `text` (the .txt/.md files) and `pdf` (the five with a kept PDF
read from the PDF instead of its text). Prints check_structure.py's table per municipality
(§ recall, § precision, Dnr accuracy) and the largest § decision text, then exits 1 when a
municipality misses the acceptance bar (recall and precision ≥ 0.98, Dnr accuracy ≥ 0.95).
"""

from __future__ import annotations

import argparse
import importlib.util
import io
import json
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DEV = REPO.parent / "shared" / "protocols-dev"
BAR = {"recall": 0.98, "precision": 0.98, "dnr_acc": 0.95}


def load_checker(dev: Path):
    """check_structure.py as a module (it lives with the data, not in the package)."""
    spec = importlib.util.spec_from_file_location("check_structure", dev / "check_structure.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def variant_files(dev: Path, files: list[dict], variant: str) -> list[Path]:
    """The 19 documents of a run: text everywhere, or the kept PDF where there is one."""
    out = []
    for f in files:
        path = dev / f["file"]
        pdf = path.with_suffix(".pdf")
        out.append(pdf if variant == "pdf" and pdf.is_file() else path)
    return out


def sections_direct(paths: list[Path]) -> list[dict]:
    from searcher.chunking import split_document
    from searcher.ingest import load_document

    out = []
    for path in paths:
        for s in split_document(load_document(path)):
            out.append({**s.to_dict(), "doc": str(path)})
    return out


def sections_engine(paths: list[Path]) -> list[dict]:
    """`searcher index --no-semantic` into a temporary folder, then `sections --json` per file."""
    cli = [sys.executable, "-m", "searcher"]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        docs.mkdir()
        for p in paths:
            (docs / p.name).symlink_to(p)
        index_dir = Path(tmp) / "index"
        # the files are linked in from ../shared: links out of the folder are read only when
        # asked (README, "Trust: what an index may contain")
        subprocess.run([*cli, "index", str(docs), "--no-semantic", "--follow-symlinks",
                        "--index-dir", str(index_dir)], check=True, capture_output=True, cwd=REPO)
        for p in paths:
            cmd = [*cli, "sections", p.name, "--json", "--index-dir", str(index_dir)]
            res = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=REPO)
            out.extend(json.loads(line) for line in res.stdout.splitlines() if line.strip())
    return out


def decision_chars(section: dict) -> int:
    """Characters of a § outside its appended parts (voting lists, bilagor, reservations)."""
    appended = sum(b - a for label, a, b in section.get("parts") or ()
                   if label in ("votering", "bilaga", "reservation"))
    return len(section["text"]) - appended


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dev", type=Path, default=DEFAULT_DEV, help="the protocols-dev folder")
    ap.add_argument("--direct", action="store_true", help="call the chunker, build no index")
    ap.add_argument("--files", action="store_true", help="print the per-file table too")
    ap.add_argument("--variant", choices=("text", "pdf", "both"), default="both")
    args = ap.parse_args(argv)
    checker = load_checker(args.dev)
    files = checker.load_structure(str(args.dev / "structure.json"))
    ok = True
    for variant in ("text", "pdf") if args.variant == "both" else (args.variant,):
        paths = variant_files(args.dev, files, variant)
        t0 = time.perf_counter()
        sections = (sections_direct if args.direct else sections_engine)(paths)
        took = time.perf_counter() - t0
        rows, tot, unknown = checker.score(sections, files)
        print(f"== {variant}: {len(paths)} files, {len(sections)} sections, {took:.1f} s")
        if args.files:
            checker.report(rows, tot, unknown)
        by_kommun: dict[str, list[dict]] = {}
        for f, row in zip(files, rows, strict=True):
            by_kommun.setdefault(f["municipality"], []).append(row)
        print(f"{'municipality':<18} files  gold  pred  match  recall  precision  dnr_acc")
        for kommun, krows in [*by_kommun.items(), ("overall", rows)]:
            t = {k: sum(r[k] for r in krows) for k in ("gold", "pred", "tp", "dnr_ok")}
            fig = {"recall": checker.ratio(t["tp"], t["gold"]),
                   "precision": checker.ratio(t["tp"], t["pred"]),
                   "dnr_acc": checker.ratio(t["dnr_ok"], t["tp"])}
            ok &= all(fig[k] >= BAR[k] for k in BAR)
            print(f"{kommun:<18} {len(krows):>5}  {t['gold']:>4}  {t['pred']:>4}  {t['tp']:>5}  "
                  f"{fig['recall']:>6.2f}  {fig['precision']:>9.2f}  {fig['dnr_acc']:>7.2f}")
        paras = [s for s in sections if s.get("kind") == "paragraph"]
        if paras:
            big = max(paras, key=decision_chars)
            print(f"largest § decision text: {decision_chars(big)} chars ({big['section_id']})")
        buf = io.StringIO()
        with redirect_stdout(buf):
            for doc, n in unknown.items():
                print(f"warning: {n} section(s) for unknown doc {doc!r}")
        print(buf.getvalue(), end="")
    print("acceptance:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
