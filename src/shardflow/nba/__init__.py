"""NBA player analytics: box-score readers, the per-date processors (player game summary,
composite factors, ML feature store) and a deterministic demo season.

The modules a rule file imports at parse time (:mod:`.windows`) use the standard library only;
the processors use polars and numpy, never pandas, so a per-date job starts fast.
"""
