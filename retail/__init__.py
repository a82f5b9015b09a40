"""Pure retail domain shared by every tier: money, barcodes, catalog, pricing, baskets, receipts."""
