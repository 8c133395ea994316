"""Explained relevance: a supplier's profile against a notice's search facts, with reasons in words.

Pure functions over plain data (:mod:`.profile`, :mod:`.facts`, :mod:`.score`, :mod:`.learn`,
:mod:`.similar`); the only SQL is in :mod:`.index` (reading facts from the search index) and
:mod:`.weights` (the learned weights per user).
"""
