"""Commands that explore the corpus beyond single queries: docs and stats."""

from __future__ import annotations

from typing import Annotated

import typer

from searcher.cli import render
from searcher.cli.common import (
    DebugOpt,
    IndexDirOpt,
    JsonOpt,
    KommunOpt,
    NoColorOpt,
    NoPagerOpt,
    OrganOpt,
    TypeOpt,
    YearOpt,
    cli_errors,
    emit,
    filters,
    found_or_none,
)
from searcher.messages import t
from searcher.settings import Settings

app = typer.Typer()


@app.command()
@cli_errors
def docs(
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    json_out: JsonOpt = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """List the indexed documents: municipality, organ, type, date, number of sections.

    Examples:

        searcher docs
        searcher docs --type protokoll --year 2022
        searcher docs --organ "Kommunstyrelsens arbetsutskott" --json | jq -r .doc
    """
    from searcher.engine import open_index
    from searcher.tools.explore import list_documents, mismatch_hint

    settings = Settings.resolve(index_dir=index_dir)
    wanted = filters(doc_type, organ, municipality, year)
    with open_index(settings.index_dir, settings=settings) as ix:
        found = list_documents(ix, wanted)
        hint = "" if found else mismatch_hint(ix, wanted)
    if json_out:
        render.emit_jsonl(d.to_dict() for d in found)
    elif found:
        from searcher.cli.render_corpus import docs_table

        emit(docs_table(found), no_color=no_color, no_pager=no_pager)
    if not found:
        render.note(t("no_documents", hint=hint), no_color)
    else:
        render.note(t("n_documents", n=len(found)), no_color)
    found_or_none(bool(found))


@app.command()
@cli_errors
def stats(
    doc_type: TypeOpt = None,
    organ: OrganOpt = None,
    municipality: KommunOpt = None,
    year: YearOpt = None,
    doc: Annotated[str | None, typer.Option(
        "--doc", help="Subset: one document (file name or stem).")] = None,
    top: Annotated[int, typer.Option(
        "--top", min=1, help="How many characteristic terms to show.")] = 20,
    min_freq: Annotated[int, typer.Option(
        "--min-freq", min=1, help="Least frequency in the subset for a term to count.")] = 3,
    json_out: Annotated[bool, typer.Option(
        "--json", help="One JSON object: corpus, by (type/organ/year), subset (with key_terms), "
        "notes.")] = False,
    index_dir: IndexDirOpt = None,
    no_color: NoColorOpt = False,
    no_pager: NoPagerOpt = False,
    debug: DebugOpt = False,
) -> None:
    """Corpus figures by type, organ and year; the characteristic terms of a subset.

    Figures are documents, sections and running words. Terms are the stems of the index's
    Swedish analyzer, each shown by its most frequent word. A subset is compared with the rest
    of the corpus by log-likelihood G² (Dunning 1993); terms with p < 0.05 only, with the
    log₂ ratio as the effect size.

    Examples:

        searcher stats
        searcher stats --organ "Kommunstyrelsens arbetsutskott"
        searcher stats --doc 004_01ff4cff245c5c24.txt --top 30
        searcher stats --type protokoll --json | jq '.subset.key_terms[].term'
    """
    from searcher.engine import open_index
    from searcher.tools.explore import corpus_stats

    settings = Settings.resolve(index_dir=index_dir)
    wanted = {**filters(doc_type, organ, municipality, year), "doc": doc}
    with open_index(settings.index_dir, settings=settings) as ix:
        result = corpus_stats(ix, wanted, top=top, min_freq=min_freq)
    for line in result.notes:
        render.note(f"{t('note')} {line}", no_color)
    if json_out:
        render.emit_jsonl([result.to_dict()])
        return
    from searcher.cli.render_corpus import stats_view

    emit(stats_view(result), no_color=no_color, no_pager=no_pager)
