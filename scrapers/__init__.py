"""Getting pages: source registry, discovery, polite fetching, encoding detection, HTML to text."""
