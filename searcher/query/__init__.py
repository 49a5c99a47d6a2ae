"""A query string → parsed words, phrases, operators and Filters; unknown words corrected from the
index vocabulary.
"""
