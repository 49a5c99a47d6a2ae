"""A protocol Document → one Section per § (number, Dnr, title, ärende kind, persons), plus its
header block.
"""
