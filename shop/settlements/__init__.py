"""Paying producers: monthly statements of delivered lines, the shop's commission, payouts."""
