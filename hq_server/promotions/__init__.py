"""Promotions at HQ: definitions checked by the shared engine, scheduled, sent down the feed."""
