"""HQ: master data, the change feed, consolidated sales and stock, loyalty ledgers."""
