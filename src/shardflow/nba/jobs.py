"""The per-date NBA jobs as one command line: ``python -m shardflow.nba.jobs STEP ...``.

Rules nba_summary, nba_features, nba_history_segment and nba_stage run these through `shell:`
instead of `script:`: a date's step does 15 to 90 ms of work, and the `script:` preamble imports
Snakemake into every job (about 0.08 s of a job's 0.3 s start; docs/nba.md, Speed). Each step
only moves data between its files and the library functions, like a rule script. The rules set
POLARS_MAX_THREADS to their threads.

    summary            --date D --boxscores FILE [--lines FILE] --format F --season-types T,T
                       --log LOG --output OUTPUT
    features           --date D --roster SUMMARY --high-usage-pct P --high-usage-min-minutes M
                       --bootstrap-games N --production-ready-pct P [--segment SEGMENT ...]
                       --log LOG --factors-output FACTORS --output FEATURES WINDOW_SUMMARY...
    segment            --date FIRST_DAY --log LOG --output SEGMENT SUMMARY...
    stage              --date D --season-types T,T --log LOG --output OUTPUT TABLE...
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import polars as pl

from shardflow.io import replace_atomically, script_logger, write_polars
from shardflow.nba.boxscore import BoxScoreError
from shardflow.nba.composite import composite_factors
from shardflow.nba.datefile import read_date_file
from shardflow.nba.features import FEATURE_VERSION, FEATURES, feature_store
from shardflow.nba.history import games_in_two_dates, load_window, usable, write_segment
from shardflow.nba.lines import read_lines
from shardflow.nba.season_tables import date_documents, stage
from shardflow.nba.summary import SUMMARY_SCHEMA, player_game_summary, unreadable_reason, write_summary


def summary(args: argparse.Namespace) -> None:
    """Player game summary of one date; an unreadable date file gives an empty summary marked
    unreadable, so that later dates go on without it and only this date's factors fail."""
    log = script_logger(args.log, "nba.summary")
    try:
        box = read_date_file(args.boxscores, args.date, args.format)
        lines = read_lines(args.lines) if args.lines else None
    except BoxScoreError as err:
        log.error("unreadable: %s", err)
        write_summary(pl.DataFrame(schema=SUMMARY_SCHEMA), args.output, unreadable=str(err))
        return
    table = player_game_summary(
        box, args.date, os.path.basename(args.boxscores), lines, season_types=args.season_types.split(",")
    )
    write_summary(table, args.output)
    log.info(
        "%s: %d games, %d player rows (%d DNP), %d with a points line, %d games with a shot chart",
        args.date,
        len(box.teams) // 2,
        len(table),
        table["dnp"].sum(),
        table["points_line"].is_not_null().sum(),
        box.shot_zones["game_id"].n_unique(),
    )


def features(args: argparse.Namespace) -> None:
    """Composite factors and feature vectors of one date from its roster (the date's summary)
    and its window (history segments and single summaries); fails, naming the file, when the
    date's own box-score file was unreadable."""
    log = script_logger(args.log, "nba.features")
    if reason := unreadable_reason(args.roster):
        message = f"no composite factors for {args.date}: its box-score file is unreadable: {reason}"
        log.error(message)
        raise SystemExit(f"nba: {message}")
    roster = pl.read_parquet(args.roster)
    history, unreadable = load_window(args.segment, args.summaries)
    if twice := games_in_two_dates(roster, history):
        game, other = twice[0]
        message = (
            f"game {game} is in the box-score files of both {other} and {args.date}: one of them holds another "
            "day's game (add the day's ScoreboardV2 to date its games)"
        )
        log.error(message)
        raise SystemExit(f"nba: {message}")
    history = usable(history, roster["season"])
    # the window's dates of the date's season, and those whose box-score file was unreadable
    window = sorted({d.isoformat() for d in history["game_date"].unique().to_list()} | set(unreadable))
    factors = composite_factors(
        roster,
        history,
        args.date,
        window,
        high_usage_pct=args.high_usage_pct,
        high_usage_min_minutes=args.high_usage_min_minutes,
        bootstrap_games=args.bootstrap_games,
        production_ready_pct=args.production_ready_pct,
    )
    write_polars(factors, args.factors_output)
    table = feature_store(factors, history)
    write_polars(table, args.output)
    log.info(
        "%s: %d players from %d window dates (%d unreadable; %d segments, %d single summaries); %d production-ready,"
        " %d bootstrapping; %d feature vectors of %d features (%s)",
        args.date,
        len(factors),
        len(window),
        len(unreadable),
        len(args.segment),
        len(args.summaries),
        factors["production_ready"].sum(),
        factors["early_season_bootstrap"].sum(),
        len(table),
        len(FEATURES),
        FEATURE_VERSION,
    )


def segment(args: argparse.Namespace) -> None:
    """The history segment of one period: its dates' summaries concatenated."""
    log = script_logger(args.log, "nba.history_segment")
    rows = write_segment(args.summaries, args.output)
    log.info("%s: %d rows of %d dates", args.date, len(rows), len(args.summaries))


def stage_tables(args: argparse.Namespace) -> None:
    """The date file of one date from the season tables that hold its games
    (:mod:`shardflow.nba.season_tables`); a table that cannot be read fails the job, naming
    the file, the row and the value."""
    log = script_logger(args.log, "nba.stage")
    try:
        documents = date_documents(*stage(args.tables, args.season_types.split(","), args.date))
    except BoxScoreError as err:
        log.error("%s", err)
        raise SystemExit(f"nba: {err}") from None
    if args.date not in documents:
        raise SystemExit(f"nba: no game of {args.date} in {', '.join(args.tables)}")
    text = json.dumps(documents[args.date], sort_keys=True)
    replace_atomically(Path(args.output), lambda tmp: Path(tmp).write_text(text))
    log.info("%s: %d games from %s", args.date, len(documents[args.date][0]["resultSets"][0]["rowSet"]), args.tables)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="python -m shardflow.nba.jobs", description=__doc__.splitlines()[0])
    steps = top.add_subparsers(dest="step", required=True)

    step = steps.add_parser("summary")
    step.add_argument("--boxscores", required=True)
    step.add_argument("--lines")
    step.add_argument("--format", required=True)
    step.add_argument("--season-types", required=True, help="comma-separated season type names")
    step.set_defaults(run=summary)

    step = steps.add_parser("features")
    step.add_argument("--roster", required=True)
    step.add_argument("--high-usage-pct", type=float, required=True)
    step.add_argument("--high-usage-min-minutes", type=float, required=True)
    step.add_argument("--bootstrap-games", type=int, required=True)
    step.add_argument("--production-ready-pct", type=float, required=True)
    step.add_argument("--segment", action="append", default=[], help="a history segment of the window")
    step.add_argument("--factors-output", required=True)
    step.add_argument("summaries", nargs="*", help="summaries of the window's other dates")
    step.set_defaults(run=features)

    step = steps.add_parser("segment")
    step.add_argument("summaries", nargs="+", help="summaries of the segment's dates")
    step.set_defaults(run=segment)

    step = steps.add_parser("stage")
    step.add_argument("--season-types", required=True, help="comma-separated season type names")
    step.add_argument("tables", nargs="+", help="season tables holding the date's games")
    step.set_defaults(run=stage_tables)

    for step in steps.choices.values():
        step.add_argument("--date", required=True)
        step.add_argument("--log", required=True)
        step.add_argument("--output", required=True)
    return top


if __name__ == "__main__":
    arguments = parser().parse_args()
    arguments.run(arguments)
