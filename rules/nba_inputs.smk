# The nba pipeline's constants and input functions (included by rules/nba.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

import shlex

NBA = config["nba"]
NBA_DEMO_DIR = "resources/demo/nba"
NBA_BOXSCORES = NBA["boxscores_dir"]
NBA_IS_DEMO = os.path.normpath(NBA_BOXSCORES) == os.path.normpath(f"{NBA_DEMO_DIR}/boxscores")
# Points lines: lines_dir when set; the demo season's own lines when it runs on the demo.
NBA_LINES = NBA["lines_dir"] or (f"{NBA_DEMO_DIR}/lines" if NBA_IS_DEMO else None)
NBA_LINES_ARE_DEMO = NBA_IS_DEMO and NBA["lines_dir"] is None


@lru_cache
def nba_dates():
    """Game dates: the demo's, or the stems of the YYYY-MM-DD.json files of boxscores_dir (read
    only when the nba rules are in the DAG; none stops the run with the folder named)."""
    import re

    if NBA_IS_DEMO:
        return nba_demo_dates()
    dates = ()
    if os.path.isdir(NBA_BOXSCORES):
        names = os.listdir(NBA_BOXSCORES)
        dates = tuple(sorted(f[:-5] for f in names if re.fullmatch(r"\d{4}-\d{2}-\d{2}\.json", f)))
    if not dates:
        no_shards("nba.boxscores_dir", NBA_BOXSCORES, "one box-score file per game date named YYYY-MM-DD.json")
    return dates


def nba_demo_dates():
    """The demo season's dates (from the config alone)."""
    from shardflow.nba.windows import consecutive_dates

    return tuple(consecutive_dates(NBA["demo"]["start_date"], NBA["demo"]["n_dates"]))


def nba_date_files(step):
    """Input function: the per-date outputs of ``step`` for every date."""
    return lambda wildcards: expand(f"results/nba/{step}/{{date}}.parquet", date=nba_dates())


def shell_option(flag, values):
    """``flag`` and the quoted path for a `shell:` command when an optional input list holds one
    path, else nothing."""
    return f"{flag} {shlex.quote(values[0])}" if values else ""


def nba_lines(wildcards):
    """The date's points-lines CSV, when there is one (always for the demo, whose rule writes
    them)."""
    if NBA_LINES is None:
        return []
    path = f"{NBA_LINES}/{wildcards.date}.csv"
    return [path] if NBA_LINES_ARE_DEMO or os.path.exists(path) else []


def nba_priority(stage):
    """Job priority of a per-date step (0 summary, 1 composite factors, 2 feature store): dates in
    order, each date's steps before the next date's. A backfill then finishes dates one after
    the other and only a few jobs with many window inputs wait at a time, which keeps
    Snakemake's scheduling cheaper (it reads the inputs of every waiting job whenever it looks
    for a job to start; measured on a 165-date backfill: 85 s of its CPU in date order, 103 s
    without)."""

    def priority(wildcards):
        dates = nba_dates()
        return 3 * (len(dates) - dates.index(wildcards.date)) + stage

    return priority


def nba_window(wildcards):
    """Summaries of the dates in the date's window (shardflow.nba.windows): earlier dates of its
    season, at most nba.window_days back. A changed summary reruns exactly the dates whose
    window holds it."""
    from shardflow.nba.windows import window_dates

    days = window_dates(list(nba_dates()), wildcards.date, NBA["window_days"])
    return [f"results/nba/player_game_summary/{d}.parquet" for d in days]


def nba_outputs(wildcards=None):
    """The final outputs of the pipeline (what the target `nba` builds); the dates are found on the way."""
    nba_dates()
    return [
        "results/nba/ml_feature_store.parquet",
        "results/nba/plots/feature_distributions.png",
        "results/nba/plots/player_form.png",
    ]


PIPELINE_OUTPUTS["nba"] = nba_outputs
