"""tenderlens: open procurement-notice intelligence over OCDS data.

The package is laid out as the pipeline it runs:
``ocds`` (read files) → ``store`` (lossless releases) → ``compile`` (merge routine)
→ ``notice`` (readable notice) → CLI.
"""

from tenderlens.compiled import pure_python_requested, use_python_source

__version__ = "0.1.0"
__all__ = ["__version__"]

if pure_python_requested():  # TENDERLENS_PURE_PYTHON=1: the merge engine as Python, not the mypyc build
    use_python_source()
