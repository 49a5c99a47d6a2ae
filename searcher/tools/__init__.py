"""An open index → what researchers do with it: mentions (KWIC), trends, highlighting, export,
exploring the corpus.
"""
