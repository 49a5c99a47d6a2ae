"""A protocol Document → one Section per § (number, Dnr, title, ärende kind, persons), plus its
header block.

split (the steps) · headers (§ header candidates, chosen by evidence) · agenda (ärendelista in any
form) · dnr (case numbers of every diary series) · arende (ärende kinds) · persons (header block).
"""
