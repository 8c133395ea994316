"""Alerts: saved searches by email (instant, daily, weekly), watched notices' changes, reminders.

Pure pieces — when a search is due (:mod:`.due`), what changed on a watched notice
(:mod:`.watch`), which reminders are due (:mod:`.reminders`), the e-mail (:mod:`.compose`) —
and one idempotent cycle over the store (:mod:`.cycle`) that ``tenderlens alerts run`` runs.
"""
