"""HQ's loyalty ledgers: members, cards, points, stored value and coupons."""
