"""Writing articles: parsed pages to Markdown files in ``content/``, planned whole first."""
