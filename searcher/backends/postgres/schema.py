"""The database schema as an ordered table of versioned migrations, applied in transactions.

    schema_version   one row per applied migration (version, description, applied_at)
    meta             the index manifest (format, analyzer version, embedding model, counts)
    documents        one row per file: path, hashes, metadata, table of contents
    section_keys     one row per section: sid ↔ section_id, its partition keys, lengths, terms
    sections         the section records, partitioned by municipality, then by year
    terms            the lexicon: (field, token) → term_id, document and collection frequency
    postings         (term_id, sid) → our analyzer's weight and whoosh's quantised field length
    field_stats      total tokens per field; corpus_stats: N, the number of sections
    passages         one halfvec per passage, HNSW-indexed for inner product

Lexemes come from searcher.analysis, never from PostgreSQL's text search, so both backends
match the same words. Add a migration by appending a row to MIGRATIONS; never edit one that
has shipped. Readers refuse a database whose version differs from SCHEMA_VERSION.
"""

from __future__ import annotations

from dataclasses import dataclass

from searcher.errors import IndexMismatchError

#: pg_advisory_lock key for schema changes and for the single writer ("srch" in ASCII).
LOCK_KEY = 0x73726368


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


_BASE = (
    "CREATE EXTENSION IF NOT EXISTS vector",
    """CREATE TABLE meta (
        key text PRIMARY KEY,
        value jsonb NOT NULL
    )""",
    """CREATE TABLE documents (
        doc text COLLATE "C" PRIMARY KEY,
        path text NOT NULL,
        sha256 text NOT NULL,
        meta jsonb NOT NULL,
        n_sections integer NOT NULL,
        toc text NOT NULL DEFAULT '',
        fingerprint text NOT NULL DEFAULT '',
        source bytea
    )""",
    "CREATE SEQUENCE section_sid AS integer",
    """CREATE TABLE section_keys (
        sid integer PRIMARY KEY,
        section_id text COLLATE "C" NOT NULL UNIQUE,
        doc text COLLATE "C" NOT NULL,
        ordinal integer NOT NULL,
        municipality text NOT NULL,
        year integer NOT NULL,
        lengths integer[] NOT NULL,
        terms integer[] NOT NULL,
        n_passages integer NOT NULL DEFAULT 0
    )""",
    "CREATE INDEX section_keys_doc ON section_keys (doc, ordinal)",
    """CREATE TABLE sections (
        sid integer NOT NULL,
        section_id text COLLATE "C" NOT NULL,
        doc text COLLATE "C" NOT NULL,
        ordinal integer NOT NULL,
        municipality text NOT NULL,
        year integer NOT NULL,
        organ text NOT NULL,
        doc_type text NOT NULL,
        arende text NOT NULL,
        paragraph text NOT NULL,
        kind text NOT NULL,
        dnr text[] NOT NULL,
        data jsonb NOT NULL,
        PRIMARY KEY (sid, municipality, year)
    ) PARTITION BY LIST (municipality)""",
    "CREATE INDEX sections_doc ON sections (doc, ordinal)",
    "CREATE INDEX sections_organ ON sections (organ)",
    "CREATE INDEX sections_doc_type ON sections (doc_type)",
    "CREATE INDEX sections_arende ON sections (arende)",
    "CREATE INDEX sections_paragraph ON sections (paragraph)",
    "CREATE INDEX sections_kind ON sections (kind)",
    "CREATE INDEX sections_dnr ON sections USING gin (dnr)",
    """CREATE TABLE section_partitions (
        municipality text NOT NULL,
        year integer NOT NULL,
        parent text NOT NULL,
        leaf text NOT NULL,
        PRIMARY KEY (municipality, year)
    )""",
    """CREATE TABLE terms (
        term_id serial PRIMARY KEY,
        field smallint NOT NULL,
        token text COLLATE "C" NOT NULL,
        df integer NOT NULL DEFAULT 0,
        cf double precision NOT NULL DEFAULT 0,
        UNIQUE (field, token)
    )""",
    """CREATE TABLE postings (
        term_id integer NOT NULL,
        sid integer NOT NULL,
        weight real NOT NULL,
        flen real NOT NULL,
        CONSTRAINT postings_pkey PRIMARY KEY (term_id, sid) INCLUDE (weight, flen)
    )""",
    """CREATE TABLE field_stats (
        field smallint PRIMARY KEY,
        total_length bigint NOT NULL DEFAULT 0
    )""",
    """CREATE TABLE corpus_stats (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        n_sections integer NOT NULL DEFAULT 0
    )""",
    "INSERT INTO corpus_stats DEFAULT VALUES",
    """CREATE TABLE passages (
        sid integer NOT NULL,
        idx smallint NOT NULL,
        embedding halfvec NOT NULL,
        PRIMARY KEY (sid, idx)
    )""",
)

_TYPO_LOOKUPS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    # `contains` mentions and typo candidates look words up inside the exact field's lexicon.
    "CREATE INDEX terms_exact_trgm ON terms USING gin (token gin_trgm_ops) WHERE field = 4",
)

MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "documents, partitioned sections, lexicon and postings, passages", _BASE),
    Migration(2, "trigram and Levenshtein lookups in the lexicon (mentions, typos)",
              _TYPO_LOOKUPS),
)
SCHEMA_VERSION = MIGRATIONS[-1].version

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version integer PRIMARY KEY,
    description text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
)"""


def current_version(conn) -> int:
    """The newest applied migration (0 for a database searcher has never touched)."""
    row = conn.execute("SELECT to_regclass('schema_version') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    return conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate_schema(conn) -> list[int]:
    """Apply every pending migration, each in its own transaction; the versions applied."""
    applied: list[int] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
        conn.execute(_VERSION_TABLE)
    for migration in MIGRATIONS:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))
            if current_version(conn) >= migration.version:
                continue
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version (version, description) VALUES (%s, %s)",
                         (migration.version, migration.description))
            applied.append(migration.version)
    _check_not_newer(conn)
    return applied


def require_version(conn, where: str) -> None:
    """Refuse a database this code cannot read, saying what to do."""
    version = current_version(conn)
    if version < SCHEMA_VERSION:
        raise IndexMismatchError(
            f"database {where} has schema version {version}, this searcher needs "
            f"{SCHEMA_VERSION}; run `searcher index --backend {where}` to upgrade it"
        )
    _check_not_newer(conn, version)


def _check_not_newer(conn, version: int | None = None) -> None:
    version = current_version(conn) if version is None else version
    if version > SCHEMA_VERSION:
        raise IndexMismatchError(
            f"database schema version {version} is newer than this searcher's "
            f"({SCHEMA_VERSION}); upgrade searcher"
        )
