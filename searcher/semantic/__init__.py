"""Sections → passages → vectors (encoder, model set-up, vector index); a query → the nearest
sections. torch and sentence-transformers are imported only when a model is loaded."""
