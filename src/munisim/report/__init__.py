"""Charts and reports built from results."""
