# The nba pipeline's constants and input functions (included by rules/nba.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.


import bisect

NBA = config["nba"]
NBA_DEMO_DIR = "resources/demo/nba"
NBA_BOXSCORES = NBA["boxscores_dir"]
NBA_IS_DEMO = os.path.normpath(NBA_BOXSCORES) == os.path.normpath(f"{NBA_DEMO_DIR}/boxscores")
# Points lines: lines_dir when set; the demo season's own lines when it runs on the demo.
NBA_LINES = NBA["lines_dir"] or (f"{NBA_DEMO_DIR}/lines" if NBA_IS_DEMO else None)
NBA_LINES_ARE_DEMO = NBA_IS_DEMO and NBA["lines_dir"] is None
NBA_STAGED = "results/nba/staged"
NBA_DATE_FILE = r"\d{4}-\d{2}-\d{2}\.json"


@lru_cache
def nba_source():
    """``dates`` (YYYY-MM-DD.json date files) or ``tables`` (season tables staged into date
    files): nba.source, or for auto, dates when boxscores_dir holds a date file."""
    import re

    if NBA_IS_DEMO or NBA["source"] != "auto":
        return "dates" if NBA_IS_DEMO else NBA["source"]
    names = os.listdir(NBA_BOXSCORES) if os.path.isdir(NBA_BOXSCORES) else []
    return "dates" if any(re.fullmatch(NBA_DATE_FILE, n) for n in names) else "tables"


@lru_cache
def nba_tables():
    """(season tables, foreign files) of boxscores_dir (shardflow.nba.season_tables)."""
    from shardflow.nba.season_tables import folder_tables

    return folder_tables(NBA_BOXSCORES) if os.path.isdir(NBA_BOXSCORES) else ([], [])


@lru_cache
def nba_staged():
    """{date: (digest of its staged date file, the tables holding its games)} of the season
    tables; a table that cannot be read stops the run naming the file, the row and the value."""
    from shardflow.nba.boxscore import BoxScoreError
    from shardflow.nba.season_tables import staged_index

    tables = nba_tables()[0]
    if not tables:
        no_shards(
            "nba.boxscores_dir",
            NBA_BOXSCORES,
            "season tables (Kaggle games.csv + games_details.csv, nba_api game logs) or YYYY-MM-DD.json date files",
        )
    try:
        return staged_index(tables, NBA["season_types"])
    except BoxScoreError as err:
        raise WorkflowError(f"nba.boxscores_dir: {err}")


@lru_cache
def nba_dates():
    """Game dates: the demo's, or the stems of the YYYY-MM-DD.json files of boxscores_dir (read
    only when the nba rules are in the DAG; none stops the run with the folder named)."""
    import re

    if NBA_IS_DEMO:
        return nba_demo_dates()
    if nba_source() == "tables":
        return tuple(sorted(nba_staged()))
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


def nba_boxscores(wildcards):
    """The date's date file: in boxscores_dir, or staged from the season tables."""
    folder = NBA_STAGED if nba_source() == "tables" else NBA_BOXSCORES
    return f"{folder}/{wildcards.date}.json"


def nba_stage_tables(wildcards):
    """The season tables holding the date's games, with their modification time ignored: a
    changed table reruns the staging of exactly the dates whose staged file changes, through
    nba_stage_digest."""
    return [ancient(t) for t in nba_staged()[wildcards.date][1]]


def nba_stage_digest(wildcards):
    """Content hash of the date's staged file (a params: a changed one reruns the date)."""
    return nba_staged()[wildcards.date][0]


def nba_input_errors():
    """(file, why) of every entry of boxscores_dir that no reader takes."""
    import re

    if NBA_IS_DEMO:
        return []
    if nba_source() == "tables":
        return nba_tables()[1]
    names = sorted(os.listdir(NBA_BOXSCORES)) if os.path.isdir(NBA_BOXSCORES) else []
    return [(n, "not a YYYY-MM-DD.json date file") for n in names if not re.fullmatch(NBA_DATE_FILE, n)]


def nba_date_files(step):
    """Input function: the per-date outputs of ``step`` for every date."""
    return lambda wildcards: expand(f"results/nba/{step}/{{date}}.parquet", date=nba_dates())


def nba_lines(wildcards):
    """The date's points-lines CSV, when there is one (always for the demo, whose rule writes
    them)."""
    if NBA_LINES is None:
        return []
    path = f"{NBA_LINES}/{wildcards.date}.csv"
    return [path] if NBA_LINES_ARE_DEMO or os.path.exists(path) else []


def nba_priority(stage):
    """Job priority of a per-date step (0 summary, 1 composite factors and feature store): dates
    in order, each date's steps before the next date's, so that a backfill finishes dates one
    after the other."""

    def priority(wildcards):
        return 2 * (len(nba_dates()) - nba_date_index()[wildcards.date]) + stage

    return priority


def nba_segment_priority(wildcards):
    """A history segment goes before the dates after it (see nba_priority)."""
    following = bisect.bisect_left(nba_dates(), wildcards.segment)
    return 2 * (len(nba_dates()) - following) + 1


@lru_cache
def nba_date_index():
    """{date: its position in nba_dates()}."""
    return {d: i for i, d in enumerate(nba_dates())}


@lru_cache
def nba_window_parts(date):
    """(history segments, single dates) of the date's window (shardflow.nba.windows): earlier
    dates of its season, at most nba.window_days back, the 16-day periods wholly inside it as
    one segment file each. A changed summary reruns its segment and exactly the dates whose
    window holds it."""
    from shardflow.nba.windows import window_parts

    return window_parts(list(nba_dates()), date, NBA["window_days"])


def nba_window_segments(wildcards):
    """The history segments of the date's window."""
    return [f"results/nba/history_segments/{s}.parquet" for s in nba_window_parts(wildcards.date)[0]]


def nba_window_summaries(wildcards):
    """The summaries of the date's window dates that no segment of it holds."""
    return [f"results/nba/player_game_summary/{d}.parquet" for d in nba_window_parts(wildcards.date)[1]]


def nba_segment_summaries(wildcards):
    """The summaries of the dates of a history segment (named by its first day)."""
    from shardflow.nba.windows import segment_dates

    return [f"results/nba/player_game_summary/{d}.parquet" for d in segment_dates(list(nba_dates()), wildcards.segment)]


def nba_outputs(wildcards=None):
    """The final outputs of the pipeline (what the target `nba` builds); the dates are found on the way."""
    nba_dates()
    return [
        "results/nba/ml_feature_store.parquet",
        "results/nba/input_errors.csv",
        "results/nba/plots/feature_distributions.png",
        "results/nba/plots/player_form.png",
    ]


PIPELINE_OUTPUTS["nba"] = nba_outputs
