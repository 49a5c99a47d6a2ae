"""A report (or any other) Document → one Section per heading, with its breadcrumb and tables."""
