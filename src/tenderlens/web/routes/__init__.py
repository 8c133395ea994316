"""The routes, one module per area: pages and their JSON twins, data downloads and feeds, the API page."""
