"""The till's device hub: print-job journal and reprints, drawer kicks, scans, cards, displays."""
