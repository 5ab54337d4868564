"""Demo season (rule nba_demo_data): V2 date files, points lines and the truth."""

from pathlib import Path

from shardflow.io import replace_atomically, script_logger
from shardflow.nba.demo import write_demo_season

log = script_logger(snakemake.log[0], "nba.demo_data")
p = snakemake.params
out = Path(snakemake.output.players).parents[1]
players, games = write_demo_season(out, n_teams=p.n_teams, roster_size=p.roster_size, dates=list(p.dates), seed=p.seed)
replace_atomically(Path(snakemake.output.players), players.write_csv)
replace_atomically(Path(snakemake.output.games), games.write_csv)
log.info(
    "%d games of %d teams over %d dates (%d with overtime)",
    len(games),
    p.n_teams,
    len(p.dates),
    (games["periods"] > 4).sum(),
)
