"""Point-of-sale devices: UnifiedPOS-style ports, adapters over real driver stacks, fakes."""
