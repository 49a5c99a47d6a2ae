"""Dense side of the search: the embedding model and everything that turns text into vectors."""
