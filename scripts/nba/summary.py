"""Player game summary of one date (rule nba_summary)."""

import os

# polars sizes its thread pool when first imported: give it the rule's threads, no more.
os.environ["POLARS_MAX_THREADS"] = str(snakemake.threads)

import polars as pl  # noqa: E402

from shardflow.io import script_logger  # noqa: E402
from shardflow.nba.boxscore import BoxScoreError  # noqa: E402
from shardflow.nba.datefile import read_date_file  # noqa: E402
from shardflow.nba.lines import read_lines  # noqa: E402
from shardflow.nba.summary import SUMMARY_SCHEMA, player_game_summary, write_summary  # noqa: E402

log = script_logger(snakemake.log[0], "nba.summary")
date, path = snakemake.wildcards.date, snakemake.input.boxscores
try:
    box = read_date_file(path, date, snakemake.params.format)
    lines = read_lines(snakemake.input.lines[0]) if snakemake.input.lines else None
except BoxScoreError as err:
    # The date's own composite factors fail with this message; later dates go on without it.
    log.error("unreadable: %s", err)
    write_summary(pl.DataFrame(schema=SUMMARY_SCHEMA), snakemake.output[0], unreadable=str(err))
else:
    summary = player_game_summary(box, date, os.path.basename(path), lines)
    write_summary(summary, snakemake.output[0])
    log.info("%s: %d games, %d player rows (%d DNP), %d with a points line, %d games with a shot chart",
             date, len(box.teams) // 2, len(summary), summary["dnp"].sum(), summary["points_line"].is_not_null().sum(),
             box.shot_zones["game_id"].n_unique())
