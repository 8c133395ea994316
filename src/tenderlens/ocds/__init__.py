"""Reading and understanding OCDS data: formats, publisher quirks, dates."""
