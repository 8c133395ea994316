"""``python -m tenderlens.harvest``: the harvest commands on their own."""

from tenderlens.harvest.cli import harvest_app

harvest_app(prog_name="tenderlens harvest")
