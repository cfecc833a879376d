"""The Playground's builders: editor tables and their parsing, figures, tables."""
