"""The semantic half of an index update: carry vectors over, encode only what is new.

A section keeps its vectors when its document was not read again, or when it was and the
section's text is unchanged, and the previous generation's vectors come from the same model.
`--no-semantic` encodes nothing but still carries vectors over, so the index says "partial"
until a plain `searcher index` adds the missing ones.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from searcher.chunking.passages import split_passages
from searcher.progress import Progress
from searcher.records import Section
from searcher.semantic import onnx_model
from searcher.semantic import vectors as vector_store
from searcher.semantic.encoder import DEFAULT_MODEL, Use
from searcher.store.sections import SectionStore


def semantic_status(manifest: dict) -> str:
    """'complete', 'partial' or 'none': how many of the index's sections have vectors."""
    sem = manifest.get("semantic") or {}
    if not sem:
        return "none"
    return "complete" if sem.get("sections", 0) >= manifest.get("sections", 0) else "partial"


def other_runtime_family(sem: dict, model: str) -> bool:
    """Whether encoding for an index with embeddings `sem` (its manifest entry) now would make
    vectors of another runtime family than its own (SEARCHER_RUNTIME names another one)."""
    if model != DEFAULT_MODEL or sem.get("model") != model:
        return False
    built_with = onnx_model.recorded_runtime(sem) or onnx_model.Runtime.torch.value
    return onnx_model.family(built_with) != onnx_model.encoding_family(built_with)


def _old_vectors(base: Path | None, manifest: dict | None, model: str | None):
    """The previous generation's vectors, when made by `model`."""
    sem = (manifest or {}).get("semantic") or {}
    if base is None or not sem or not model or sem.get("model") != model:
        return None
    try:
        return vector_store.VectorIndex(base / "semantic")
    except (OSError, ValueError, EOFError):
        return None


def update_vectors(
    gen: Path,
    base: Path | None,
    manifest: dict | None,
    store: SectionStore,
    changed_docs: set[str],
    *,
    semantic: bool,
    model: str,
    cache_dir: str | None,
    batch_size: int,
    progress: Progress,
    previous: dict | None = None,
) -> tuple[dict | None, int, list[str]]:
    """Write gen/semantic; returns (manifest entry or None, passages encoded, notes).

    `base` is the generation whose vectors are carried over (with `manifest`, its manifest);
    `changed_docs` are the documents whose section texts are compared with base's before a
    vector is carried; `previous` is the manifest of the generation updated (default: base's).
    """
    old_sem = ((previous if previous is not None else manifest) or {}).get("semantic") or {}
    base_sem = (manifest or {}).get("semantic") or {}
    old = _old_vectors(base, manifest, model if semantic else base_sem.get("model"))
    if not semantic and old is None:
        return None, 0, []
    notes: list[str] = []
    built_with = onnx_model.recorded_runtime(base_sem) if old is not None else None
    if semantic and old is not None and other_runtime_family(base_sem, model):
        old = None  # vectors of two runtime families in one index would not compare
        notes.append(f"embeddings were made with runtime {built_with or 'torch'}: encoding every "
                     f"section again with {onnx_model.requested_runtime().value}")
    if semantic and old_sem and old is None and old_sem.get("model") != model:
        notes.append(f"embeddings were made with {old_sem.get('model')!r}: encoding every section "
                     f"again with {model!r}")
    old_texts: dict[str, str] = {}
    if old is not None and changed_docs:
        old_store = SectionStore(base / "sections.sqlite", readonly=True)
        for doc in sorted(changed_docs):
            old_texts.update((s.section_id, s.text) for s in old_store.sections_of(doc))
        old_store.close()

    have = {str(sid) for sid in old.section_ids} if old is not None else set()
    order: list[str] = []  # every section with vectors in the new generation, in store order
    todo: list[Section] = []
    for s in store.iter_sections():
        if s.section_id in have and (
            s.doc not in changed_docs or old_texts.get(s.section_id) == s.text
        ):
            order.append(s.section_id)
        elif semantic:
            order.append(s.section_id)
            todo.append(s)

    new_blocks, describe, encoded = _encode(todo, model, cache_dir, batch_size, progress,
                                            semantic=semantic, index_runtime=built_with)
    describe = describe or {k: v for k, v in (base_sem or old_sem).items()
                            if k not in ("sections", "passages", "dtype", "status")}
    ids: list[str] = []
    blocks: list[np.ndarray] = []
    for sid in order:
        block = new_blocks.get(sid)
        if block is None and old is not None:
            block = old.rows_of(sid)
        if block is None:
            continue
        blocks.append(block)
        ids.extend([sid] * len(block))
    if not blocks:
        return None, encoded, notes
    matrix = np.concatenate(blocks).astype(np.float32, copy=False)
    vector_store.save(gen / "semantic", matrix, ids)
    if encoded and describe.get("device"):
        notes.append(f"{encoded} passages encoded on {describe['device']}")
    sem = dict(describe)
    sem.update({"sections": len(dict.fromkeys(ids)), "passages": len(ids),
                "dtype": vector_store.DEFAULT_DTYPE})
    total = store.section_count()
    sem["status"] = "complete" if sem["sections"] >= total else "partial"
    if sem["status"] == "partial":
        notes.append(f"embeddings partial: {sem['sections']} of {total} sections have vectors; "
                     f"run `searcher index` (without --no-semantic) to add the rest")
    return sem, encoded, notes


def _encode(todo: list[Section], model: str, cache_dir: str | None, batch_size: int,
            progress: Progress, *, semantic: bool, index_runtime: str | None = None,
            ) -> tuple[dict[str, np.ndarray], dict, int]:
    """Encode the passages of `todo` sections: ({section id: vectors}, model description, n)."""
    if not semantic or not todo:
        return {}, {}, 0
    from searcher.semantic.encoder import Encoder  # looked up at call time (tests replace it)

    progress.message(f"loading embedding model {model}")
    encoder = Encoder(model, cache_dir=cache_dir, progress=progress.message,
                      index_runtime=index_runtime, use=Use.passages)
    budget = encoder.passage_token_budget()
    passages = [p for s in todo
                for p in split_passages(s, max_tokens=budget, count_tokens=encoder.count_tokens)]
    device = getattr(encoder, "device", "")
    progress.message(f"encoding {len(passages)} passages of {len(todo)} sections"
                     + (f" on {device}" if device else ""))
    progress.start("encoding", len(passages))
    last = [0]

    def tick(done: int, total: int) -> None:
        progress.advance(done - last[0])
        last[0] = done

    matrix = encoder.encode_passages([p.text for p in passages], batch_size=batch_size,
                                     progress=tick)
    progress.finish()
    by_section: dict[str, list[int]] = {}
    for i, p in enumerate(passages):
        by_section.setdefault(p.section_id, []).append(i)
    blocks = {sid: matrix[rows] for sid, rows in by_section.items()}
    describe = encoder.describe()
    if device:
        describe["device"] = device  # where they were encoded: the manifest and build notes
    return blocks, describe, len(passages)
