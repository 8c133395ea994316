"""The web app: server-rendered pages with JSON twins, search, feeds (``tenderlens serve``)."""

from tenderlens.web.app import create_app

__all__ = ["create_app"]
