"""What a reader sees: listings and views, every format (Rich table, plain, JSON, CSV,
Markdown), the web page, the SVG picture and citations. Rich is imported here only."""
