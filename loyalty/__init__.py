"""Pure loyalty domain: members, tiers, cards, points lots, stored value, coupons, offline risk."""
