"""Lines of a Document → Blocks without page furniture (running headers, footers, signatures) and
with the table of contents found and set aside.
"""
