"""The readable notice: every section of a procurement notice page, built from OCDS data.

``build_notice(compiled, releases, reference, now)`` is pure; ``Notice.to_dict()`` is its
JSON twin; ``render_notice(notice, console)`` prints it section by section.
"""

from tenderlens.notice.build import build_notice
from tenderlens.notice.model import Notice
from tenderlens.notice.render import render_notice

__all__ = ["Notice", "build_notice", "render_notice"]
