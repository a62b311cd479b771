"""Producers: OCOP chủ thể (co-operatives, companies, household businesses) and their portal."""
