"""Every user-facing string of the command line, in English and Swedish: one table, one language
per run (SEARCHER_LANG=sv|en, else the locale: `sv_*` → Swedish; default English).

    from searcher.messages import t
    t("hits_of", shown=10, total=465, mode="lexical")  # '10 of 465 hits (lexical)'

A key missing from MESSAGES is a KeyError at once (tests render every key in both languages).
"""

from __future__ import annotations

import locale
import os
from enum import Enum


class Lang(str, Enum):
    """Interface languages."""

    en = "en"
    sv = "sv"


LANG_ENV = "SEARCHER_LANG"
#: Locale variables in the order POSIX consults them for messages.
_LOCALE_ENV = ("LC_ALL", "LC_MESSAGES", "LANG")


def lang() -> Lang:
    """SEARCHER_LANG if set (sv, en, or a locale name such as sv_SE.UTF-8), else the locale."""
    chosen = os.environ.get(LANG_ENV, "").strip().lower()
    if not chosen:
        chosen = next((os.environ[v] for v in _LOCALE_ENV if os.environ.get(v)), "")
        if not chosen:
            chosen = (locale.getlocale(locale.LC_CTYPE)[0] or "").lower()
    return Lang.sv if chosen.lower().startswith("sv") else Lang.en


#: key → (English, Swedish). Placeholders are str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # -- common ---------------------------------------------------------------------------------
    "error": ("error:", "fel:"),
    "note": ("note:", "obs:"),
    "typo_note": ("showing results for {text} ({shown})", "visar resultat för {text} ({shown})"),
    "lexical_only": ("lexical only: this index has no embeddings yet (run `searcher index`)",
                     "bara ord: indexet har inga embeddings än (kör `searcher index`)"),
    "partial_embeddings": ("embeddings cover {n} of {total} sections; run `searcher index` to "
                           "add the rest", "embeddings täcker {n} av {total} avsnitt; kör "
                           "`searcher index` för att lägga till resten"),
    "interrupted": ("interrupted; the previous index is unchanged",
                    "avbrutet; det tidigare indexet är oförändrat"),
    "exclusive": ("choose one of {options}, not several", "välj ett av {options}, inte flera"),
    "exit_codes": ("Exit status: 0 found, 1 nothing found, 2 usage or query error, 3 no index, "
                   "4 index/model mismatch, 5 unreadable input, 6 model setup, 7 index locked.",
                   "Slutstatus: 0 träffar, 1 inga träffar, 2 fel i kommando eller fråga, "
                   "3 inget index, 4 index och modell passar inte, 5 oläsbar fil, 6 modellfel, "
                   "7 indexet är låst."),
    "app_help": ("Search Swedish municipal protocols and reports (hybrid: BM25 + embeddings).",
                 "Sök i svenska kommunala protokoll och rapporter (hybrid: BM25 + embeddings)."),
    "unknown": ("unknown", "okänt"),
    # -- search results -------------------------------------------------------------------------
    "hits_of": ("{shown} of {total} hits ({mode})", "{shown} av {total} träffar ({mode})"),
    "hits": ("{shown} hits ({mode})", "{shown} träffar ({mode})"),
    "hits_by_meaning": ("{shown} hits ({mode}): {total} hold the words, the rest are near in "
                        "meaning", "{shown} träffar ({mode}): {total} innehåller orden, resten "
                        "ligger nära i betydelse"),
    "listed_of": ("{shown} of {total} sections match the filters (date order)",
                  "{shown} av {total} avsnitt matchar filtren (datumordning)"),
    "no_hits": ("no hits for {what!r} ({mode}); try other words, --mode semantic, or fewer "
                "filters", "inga träffar för {what!r} ({mode}); pröva andra ord, "
                "--mode semantic eller färre filter"),
    "more_hint": ("--all lists every one, -n N more", "--all visar alla, -n N fler"),
    "weights": ("weights: words {lex:.2f}, meaning {sem:.2f}",
                "vikter: ord {lex:.2f}, betydelse {sem:.2f}"),
    "score_label": ("score", "poäng"),
    "check_damaged": ("damaged: {line}", "skadad: {line}"),
    "check_failed": ("{n} damaged file(s) in {where}/; run `searcher index` to repair them",
                     "{n} skadade filer i {where}/; kör `searcher index` för att laga dem"),
    "check_how_sums": ("sizes and checksums", "storlekar och kontrollsummor"),
    "check_how_sizes": ("sizes only (no checksums yet: the next `searcher index` adds them)",
                        "bara storlekar (inga kontrollsummor än: nästa `searcher index` lägger "
                        "till dem)"),
    "check_ok": ("{generation} in {where}/: {n} files intact ({how})",
                 "{generation} i {where}/: {n} filer hela ({how})"),
    "case_none": ("no section handles {dnr!r}", "inget avsnitt behandlar {dnr!r}"),
    "case_total": ("{n} sections of {dnr!r}", "{n} avsnitt i {dnr!r}"),
    "case_col_date": ("date", "datum"),
    "case_col_organ": ("organ", "organ"),
    "case_col_paragraph": ("§", "§"),
    "case_col_title": ("matter", "ärende"),
    "case_col_how": ("how", "hur"),
    "fusion_learned": ("fusion: learned combiner (score = Σ coefficient × feature; the "
                       "coefficients are in searcher/ranking/learned.py)",
                       "fusion: inlärd kombination (poäng = Σ koefficient × särdrag; "
                       "koefficienterna finns i searcher/ranking/learned.py)"),
    "col_hit": ("hit", "träff"),
    "col_found": ("found by", "funnen av"),
    "arm_lexical": ("words", "ord"),
    "arm_semantic": ("meaning", "betydelse"),
    "arm_filters": ("filters", "filter"),
    "page": ("p.", "s."),
    "no_query": ("give a QUERY or --like SECTION_ID (not both)",
                 "ange en FRÅGA eller --like AVSNITTS-ID (inte båda)"),
    "set_syntax": ("--set takes KEY=VALUE, got {item!r}", "--set tar NYCKEL=VÄRDE, fick {item!r}"),
    "no_corpus": ("no such file or folder: {path}", "filen eller mappen finns inte: {path}"),
    "indexed": ("indexed {indexed}, unchanged {unchanged}, removed {removed}, skipped {skipped} "
                "documents; {sections} sections, {encoded} passages encoded, embeddings "
                "{semantic}; {generation} in {where}/ ({seconds:.1f} s)",
                "indexerade {indexed}, oförändrade {unchanged}, borttagna {removed}, "
                "överhoppade {skipped} dokument; {sections} avsnitt, {encoded} passager kodade, "
                "embeddings {semantic}; {generation} i {where}/ ({seconds:.1f} s)"),
    "keeps_model": ("keeping the index's model {model!r} (--model chooses another)",
                    "behåller indexets modell {model!r} (--model väljer en annan)"),
    "model_missing": ("the index was built with model {model!r}, which cannot be loaded here "
                      "({reason}); searching lexically. Install that model, or rebuild with "
                      "`searcher index --rebuild --model M`",
                      "indexet byggdes med modellen {model!r}, som inte kan laddas här "
                      "({reason}); söker på ord. Installera modellen eller bygg om med "
                      "`searcher index --rebuild --model M`"),
    # -- export ---------------------------------------------------------------------------------
    "wrote": ("wrote {n} hits ({mode}) as {fmt} to {where}",
              "skrev {n} träffar ({mode}) som {fmt} till {where}"),
    "stdout": ("stdout", "standard ut"),
    "xlsx_needs_file": ("--format xlsx needs --out FILE.xlsx",
                        "--format xlsx behöver --out FIL.xlsx"),
    # -- show / sections / docs -----------------------------------------------------------------
    "f_id": ("id", "id"),
    "f_doc": ("document", "dokument"),
    "f_dnr": ("Dnr", "Dnr"),
    "f_kommun": ("municipality", "kommun"),
    "f_organ": ("organ", "organ"),
    "f_type": ("type", "typ"),
    "f_date": ("date", "datum"),
    "f_page": ("page", "sida"),
    "f_arende": ("matter", "ärende"),
    "f_title": ("title", "titel"),
    "f_chars": ("characters", "tecken"),
    "f_sections": ("sections", "avsnitt"),
    "f_documents": ("documents", "dokument"),
    "f_words": ("words", "ord"),
    "f_year": ("year", "år"),
    "f_value": ("value", "värde"),
    "docs_doc_title": ("document · title", "dokument · titel"),
    "docs_organ_kommun": ("organ · municipality", "organ · kommun"),
    "docs_date_type": ("date · type", "datum · typ"),
    "n_documents": ("{n} documents", "{n} dokument"),
    "no_documents": ("no documents match; {hint}", "inga dokument matchar; {hint}"),
    # -- stats ----------------------------------------------------------------------------------
    "corpus": ("Corpus", "Korpus"),
    "subset": ("Subset", "Urval"),
    "figures": ("{documents} documents · {sections} sections · {words} words",
                "{documents} dokument · {sections} avsnitt · {words} ord"),
    "add_subset": ("Add a subset (--organ, --type, --kommun, --year, --doc) to see its "
                   "characteristic terms.", "Lägg till ett urval (--organ, --type, --kommun, "
                   "--year, --doc) för att se dess utmärkande termer."),
    "key_terms": ("Characteristic terms: the subset against the rest of the corpus, "
                  "log-likelihood G²", "Utmärkande termer: urvalet mot resten av korpusen, "
                  "log-likelihood G²"),
    "key_terms_sizes": ("{a} against {b} analysed terms; G² ≥ 3.84 ⇔ p < 0.05",
                        "{a} mot {b} analyserade termer; G² ≥ 3.84 ⇔ p < 0.05"),
    "kt_heads": ("term|stem|subset|/10k|rest|/10k|G²|log₂\nratio",
                 "term|stam|urval|/10k|resten|/10k|G²|log₂\nkvot"),
    "no_key_terms": ("no significant terms", "inga signifikanta termer"),
    "absent_rest": ("* absent from the rest of the corpus (0 counted as 0.5)",
                    "* saknas i resten av korpusen (0 räknas som 0,5)"),
    # -- values ---------------------------------------------------------------------------------
    "did_you_mean": ("no {label} {value!r} in this index; did you mean {suggestions}? "
                     "(`searcher values {facet}` lists them)",
                     "{label} {value!r} finns inte i indexet; menade du {suggestions}? "
                     "(`searcher values {facet}` visar alla)"),
    "no_such_value": ("no {label} {value!r} in this index (`searcher values {facet}` lists "
                      "them)", "{label} {value!r} finns inte i indexet (`searcher values "
                      "{facet}` visar alla)"),
    "facet_organ": ("organ", "organ"),
    "facet_kommun": ("municipality", "kommun"),
    "facet_type": ("type", "typ"),
    "facet_year": ("year", "år"),
    "or": ("or", "eller"),
    "n_values": ("{n} values of {label}", "{n} värden för {label}"),
    # -- mentions / trend -----------------------------------------------------------------------
    "no_mentions": ("no mentions of {term!r} ({forms})", "inga förekomster av {term!r} ({forms})"),
    "mentions_of": ("{shown} of {total} mentions of {term!r} in {docs} documents",
                    "{shown} av {total} förekomster av {term!r} i {docs} dokument"),
    "mentions_line": ("{total} mentions of {term!r} · per document: {docs} · per year: {years}",
                      "{total} förekomster av {term!r} · per dokument: {docs} · per år: {years}"),
    "per": ("per", "per"),
    "toc": ("contents", "innehåll"),
    "count": ("count", "antal"),
    "total": ("total", "totalt"),
    "chart_saved": ("chart saved to {path}", "diagrammet sparat i {path}"),
    "trend_title": ("Mentions per {period} ({forms}){per}",
                    "Omnämnanden per {period} ({forms}){per}"),
    "period_year": ("year", "år"),
    "period_month": ("month", "månad"),
    "per_raw": ("mentions", "omnämnanden"),
    "per_sections": ("mentions per 100 sections", "omnämnanden per 100 avsnitt"),
    "per_words": ("mentions per 10,000 words", "omnämnanden per 10 000 ord"),
    "per_auto": ("counts are relative ({unit}): the periods differ more than {ratio}× in size; "
                 "--per raw gives raw counts",
                 "talen är relativa ({unit}): perioderna skiljer sig mer än {ratio} gånger i "
                 "storlek; --per raw ger råa antal"),
    # -- repl -----------------------------------------------------------------------------------
    "repl_banner": ("searcher repl · {n} documents in {where}/ · :help for commands, :quit to "
                    "leave", "searcher repl · {n} dokument i {where}/ · :help visar kommandona, "
                    ":quit avslutar"),
    "repl_hits": ("{summary} · :show N to read one", "{summary} · :show N läser en"),
    "repl_no_hits": ("no hits ({how})", "inga träffar ({how})"),
    "repl_lexical_only": ("lexical mode: this index has no embeddings yet (run `searcher index` "
                          "to add them)", "ordläge: indexet har inga embeddings än (kör "
                          "`searcher index` för att lägga till dem)"),
    "repl_loading": ("loading the embedding model …", "laddar embedding-modellen …"),
    "repl_interrupted": ("interrupted", "avbrutet"),
    "repl_mode": ("mode {mode}", "läge {mode}"),
    "repl_filters": ("filters: {shown}", "filter: {shown}"),
    "repl_none": ("none", "inga"),
    "repl_limit": ("limit {n}", "antal {n}"),
    "repl_wrote": ("wrote {n} hits as {fmt} to {path}", "skrev {n} träffar som {fmt} till {path}"),
    "repl_help_head": ("Type a query, or a command:", "Skriv en fråga eller ett kommando:"),
    "repl_unknown_mode": ("unknown mode {arg!r}; choose from {choices}",
                          "okänt läge {arg!r}; välj bland {choices}"),
    "repl_filter_syntax": ("write :filter KEY=VALUE, e.g. :filter typ=protokoll; got {arg!r}",
                           "skriv :filter NYCKEL=VÄRDE, t.ex. :filter typ=protokoll; fick {arg!r}"),
    "repl_limit_syntax": ("write :limit N with N from 1 to 1000; got {arg!r}",
                          "skriv :limit N med N från 1 till 1000; fick {arg!r}"),
    "repl_no_results": ("no results yet: type a query first",
                        "inga resultat än: skriv en fråga först"),
    "repl_hit_number": ("write a hit number from 1 to {n}; got {arg!r}",
                        "skriv ett träffnummer från 1 till {n}; fick {arg!r}"),
    "repl_no_similar": (":similar is not available yet (this index has no similar())",
                        ":similar finns inte än (indexet saknar similar())"),
    "repl_export_syntax": ("write :export FILE, e.g. :export hits.csv",
                           "skriv :export FIL, t.ex. :export traffar.csv"),
    "repl_cannot_write": ("cannot write {path!r}: {why}", "kan inte skriva {path!r}: {why}"),
    "repl_ambiguous": ("':{name}' could be {options}", "':{name}' kan vara {options}"),
    "repl_unknown_command": ("unknown command ':{name}'; choose from {names} (:help explains them)",
                             "okänt kommando ':{name}'; välj bland {names} (:help förklarar dem)"),
    "repl_u_mode": ("search mode: {choices}", "sökläge: {choices}"),
    "repl_u_filter": ("filter by typ, organ, kommun, year, …; KEY= drops one, :filter alone clears",
                      "filtrera på typ, organ, kommun, år, …; NYCKEL= tar bort ett, :filter "
                      "ensamt tömmer"),
    "repl_u_limit": ("number of hits", "antal träffar"),
    "repl_u_show": ("the whole section of hit N of the last results",
                    "hela avsnittet för träff N i senaste resultatet"),
    "repl_u_similar": ("sections similar to hit N", "avsnitt som liknar träff N"),
    "repl_u_export": ("write the last results to FILE (.csv, .jsonl, .md or .xlsx)",
                      "skriv senaste resultatet till FIL (.csv, .jsonl, .md eller .xlsx)"),
    "repl_u_help": ("this help", "den här hjälpen"),
    "repl_u_quit": ("leave (also Ctrl-D)", "avsluta (även Ctrl-D)"),
}


def t(key: str, **fields: object) -> str:
    """The message `key` in this run's language, its fields filled in."""
    en, sv = MESSAGES[key]
    text = sv if lang() is Lang.sv else en
    return text.format(**fields) if fields else text
