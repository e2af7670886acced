"""Import of scraped legacy CMS pages."""
