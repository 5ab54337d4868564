"""Exoplanet transit-search features: catalog, light-curve readers, search, vetting features, demo data."""
