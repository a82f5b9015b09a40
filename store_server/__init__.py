"""Store server: serves its tills, keeps stock, relays the journal to HQ, sells offline."""
