"""shardflow: the science library behind the Snakemake workflows.

Each pipeline is a subpackage of pure functions (readers, science, demo-data
generators); ``shardflow.io`` holds the helpers the rule scripts share.
"""

__version__ = "0.1.0"
