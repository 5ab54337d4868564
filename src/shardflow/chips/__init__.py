"""Graphene-chip device metrics: readers of instrument run files (IVg, VVg, It) and the demo lab."""
