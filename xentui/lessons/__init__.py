"""The Learn pages' builders, one module per page (or per section of a page)."""
