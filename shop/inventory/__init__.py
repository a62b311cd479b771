"""Stock: what is on hand, what orders hold, and the ledger of every change."""
