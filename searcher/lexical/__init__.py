"""Sections → a whoosh BM25F index (schema, writer); a query string + Filters → lexical Hits
(index, scorer).

whoosh's private attributes and on-disk formats are read in whoosh_internals.py alone.
"""

from searcher.lexical.whoosh_internals import restrict_unpickling

restrict_unpickling()  # before any index is opened: whoosh's pickles name only allowed classes
