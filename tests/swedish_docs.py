"""Generated Swedish municipal protocols for indexing tests: many small, distinct documents.

Each protocol has a header and a few §§ with a Dnr, a title and decision text drawn from a
fixed vocabulary, so a seed gives the same corpus every time and queries have known answers.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from tests.conftest import CORPUS

MUNICIPALITIES = ["Växjö", "Alvesta", "Ljungby", "Tingsryd", "Älmhult", "Lessebo", "Uppvidinge"]
ORGANS = ["Kommunstyrelsen", "Kommunfullmäktige", "Tekniska nämnden", "Socialnämnden",
          "Utbildningsnämnden", "Kultur- och fritidsnämnden"]
SUBJECTS = [
    ("Detaljplan för kvarteret Lärkan", "detaljplanen", "bostäder och en förskola"),
    ("Budget för äldreomsorgen", "budgeten", "hemtjänst och särskilt boende"),
    ("Motion om cykelvägar", "motionen", "säkra cykelvägar till skolorna"),
    ("Taxa för vatten och avlopp", "taxan", "höjda avgifter för vatten"),
    ("Upphandling av skolskjuts", "upphandlingen", "skolskjuts på landsbygden"),
    ("Renovering av simhallen", "renoveringen", "en ny bassäng och ventilation"),
    ("Bidrag till föreningslivet", "bidraget", "idrottsföreningar och studieförbund"),
    ("Yttrande över remiss om kollektivtrafik", "yttrandet", "fler busslinjer på kvällstid"),
    ("Riktlinjer för bostadsanpassning", "riktlinjerna", "bidrag till bostadsanpassning"),
    ("Årsredovisning för räddningstjänsten", "årsredovisningen", "insatser vid bränder"),
    ("Plan för klimatanpassning", "planen", "översvämningar och skyfall"),
    ("Försäljning av fastigheten Ekbacken", "försäljningen", "en tomt för industri"),
]
OUTCOMES = ["bifalla", "avslå", "återremittera", "anta", "godkänna"]


def protocol_text(i: int, rng: random.Random) -> str:
    """One protocol with 2–5 §§; the token `dokument{i}` makes each document findable."""
    kommun, organ = rng.choice(MUNICIPALITIES), rng.choice(ORGANS)
    year = rng.choice([2021, 2022, 2023])
    first = rng.randint(1, 300)
    lines = [f"{organ} {kommun} kommun", "", "Sammanträdesprotokoll", "",
             f"Plats och tid Stadshuset, kl. 13:00-15:00, {year}-0{rng.randint(1, 9)}-1{i % 10}",
             "", "Beslutande", f"Anna Andersson (S), ordförande dokument{i}", ""]
    for n in range(rng.randint(2, 5)):
        title, noun, about = rng.choice(SUBJECTS)
        outcome = rng.choice(OUTCOMES)
        lines += [
            f"§ {first + n}", "", f"Dnr {year}-{rng.randint(1, 999):05d}", "", title, "",
            f"{organ}s beslut", "",
            f"{organ} beslutar att {outcome} {noun} om {about}. Ärendet gäller dokument{i}.",
            "", "Bakgrund", "",
            f"Förvaltningen har utrett frågan om {about} och föreslår att {organ.lower()} "
            f"ska {outcome} {noun}. Kostnaden beräknas till {rng.randint(1, 90)} miljoner kronor.",
            "",
        ]
    return "\n".join(lines)


def write_corpus(folder: Path, n: int, *, seed: int = 7, seeds: bool = True) -> list[Path]:
    """`n` generated protocols (plus the two seed documents) in `folder`; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    files = []
    for i in range(n):
        p = folder / f"protokoll_{i:03d}.txt"
        p.write_text(protocol_text(i, rng), encoding="utf-8")
        files.append(p)
    if seeds:
        for seed_file in sorted(CORPUS.iterdir()):
            target = folder / seed_file.name
            shutil.copyfile(seed_file, target)
            files.append(target)
    return files
