"""Rewards: the double-entry ledger, reward policy, coupons and the member club."""
