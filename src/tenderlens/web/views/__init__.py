"""Views build the context dicts that templates render and JSON twins return. No SQL here."""
