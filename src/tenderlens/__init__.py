"""tenderlens: open procurement-notice intelligence over OCDS data.

The package is laid out as the pipeline it runs:
``ocds`` (read files) → ``store`` (lossless releases) → ``compile`` (merge routine)
→ ``notice`` (readable notice) → CLI.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
