"""Two hit lists (lexical, semantic) and the query's signals → one fused, ranked list."""
