"""Files → an index directory: generations on disk (layout), the section store (sections), reading
files (reading), the build (build) and its embedding step (embed).
"""
