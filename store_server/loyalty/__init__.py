"""The store's loyalty relay: tills ask here, the store asks HQ or applies the offline policy."""
