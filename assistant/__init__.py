"""assistant stage."""
