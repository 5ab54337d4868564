"""The canonical box-score tables that every reader returns, and the parsing they share.

Each reader (:mod:`.boxscore_v2`, :mod:`.boxscore_v3`, :mod:`.boxscore_balldontlie`) turns
one response into frames of strings with the canonical column names below; :mod:`.datefile`
concatenates those of a date file and :func:`players_table` and :func:`teams_table` parse and
type them once, the same way for every source, so the formats differ only in where a value
sits, never in how it is read:

* minutes (:func:`minutes_expr`): ``"MM:SS"`` (``"49:48"``), the damaged forms real files
  carry (``"31:01:00"``: a spreadsheet's rewrite of MM:SS as HH:MM:SS, read as 31:01;
  ``"32.000000:05"``: stats.nba.com V2's M.000000:SS, read as 32:05; ``"0.916666667"``: a
  spreadsheet's fraction of a day, where MM:SS was taken for HH:MM, read as 0.916666667 x 24 =
  22.0 minutes; ``"37:60"``: 60 rounded seconds, read as 38:00), ISO-8601 durations
  (``"PT34M12.00S"``), plain numbers (``"34"``, ``34.5``: minutes) or blank/``None``/a
  ``"DNP ..."`` text (no minutes). Anything else is an error naming the row and the value.
* plus-minus: an integer, possibly written ``"+19"`` or ``19.0``.
* counting statistics: whole numbers; a value that is not one is an error naming the column.

A player with no minutes (or 0:00) did not play (``dnp``); his statistics are null, whatever
the source wrote (V2 writes nulls, V3 zeros). Players are keyed by id: names are kept as
given and may differ between sources (accents, suffixes).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

#: Counting statistics of a player or team line, in this order (all whole numbers).
STAT_COLUMNS = (
    "fgm",
    "fga",
    "fg3m",
    "fg3a",
    "ftm",
    "fta",
    "oreb",
    "dreb",
    "reb",
    "ast",
    "stl",
    "blk",
    "tov",
    "pf",
    "pts",
)

#: One row per player and game: ids, the name as the source writes it, whether he started
#: (null where the source does not say), the source's comment (``"DNP - Coach's Decision"``,
#: empty when none), minutes (float, null when he did not play), the counting statistics and
#: plus-minus (null when he did not play or the source has none).
PLAYER_SCHEMA = pl.Schema(
    {
        "game_id": pl.String,
        "team_id": pl.Int64,
        "player_id": pl.Int64,
        "player_name": pl.String,
        "starter": pl.Boolean,
        "comment": pl.String,
        "dnp": pl.Boolean,
        "minutes": pl.Float64,
        **dict.fromkeys(STAT_COLUMNS, pl.Int64),
        "plus_minus": pl.Int64,
    }
)

#: One row per team and game: the team's abbreviation, its minutes (5 players x game length:
#: 240 in regulation, 265 after one overtime) and its counting statistics.
TEAM_SCHEMA = pl.Schema(
    {
        "game_id": pl.String,
        "team_id": pl.Int64,
        "team_abbr": pl.String,
        "team_minutes": pl.Float64,
        **dict.fromkeys(STAT_COLUMNS, pl.Int64),
    }
)

#: One row per game: home and away team ids (null where the source does not say which is which).
GAME_SCHEMA = pl.Schema({"game_id": pl.String, "home_team_id": pl.Int64, "away_team_id": pl.Int64})

#: Shot-zone totals per player and game, from shot charts: attempts and makes in the paint
#: (restricted area and the rest of the paint), mid-range, and from three.
ZONES = ("paint", "mid", "three")
ZONE_COLUMNS = tuple(f"{z}_{s}" for z in ZONES for s in ("fga", "fgm"))
SHOT_ZONE_SCHEMA = pl.Schema(
    {"game_id": pl.String, "team_id": pl.Int64, "player_id": pl.Int64, **dict.fromkeys(ZONE_COLUMNS, pl.Int64)}
)

#: Regulation length of a game (minutes) and of an overtime period.
REGULATION_MINUTES = 48.0
OVERTIME_MINUTES = 5.0


class BoxScoreError(ValueError):
    """A box-score (or points-line) file that cannot be read; the message names the file and
    what is wrong with it."""


@dataclass(frozen=True)
class BoxScores:
    """The games of one date file, as canonical tables (see the schemas above)."""

    players: pl.DataFrame
    teams: pl.DataFrame
    games: pl.DataFrame
    shot_zones: pl.DataFrame


def team_minutes_for_periods(periods: int) -> float:
    """Minutes a team plays in a game of ``periods`` periods: 5 x (48 + 5 per overtime)."""
    return 5 * (REGULATION_MINUTES + OVERTIME_MINUTES * max(periods - 4, 0))


#: MM:SS, also with the minutes written M.000000 (stats.nba.com V2), with a spreadsheet's ":00"
#: seconds appended (MM:SS read as HH:MM and written back as HH:MM:SS), and with 60 seconds
#: (``"37:60"``, a rounding of 37:59.6 in the Kaggle table: 38 minutes).
def team_minutes_of(minutes: pl.Expr) -> pl.Expr:
    """The game length in team minutes, 5 x (48 + 5 x overtimes), nearest to ``minutes`` (the
    summed minutes of a team's players, or a team's minutes as written)."""
    regulation = 5 * REGULATION_MINUTES
    overtimes = ((minutes - regulation) / (5 * OVERTIME_MINUTES)).round().clip(lower_bound=0)
    return regulation + 5 * OVERTIME_MINUTES * overtimes


_CLOCK = r"^(\d+)(?:\.0+)?:([0-5]?\d(?:\.\d+)?|60)(?::00)?$"
_ISO = r"^PT(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$"
_NUMBER = r"^\d+(?:\.\d+)?$"
#: A spreadsheet's fraction of a day: below 1 with six or more decimals (``0.916666667``).
_DAY_FRACTION = r"^0?\.\d{6,}$"
#: Hours per day: a fraction of a day f written for MM:SS taken as HH:MM is MM + SS/60 = 24 f.
HOURS_PER_DAY = 24.0


def minutes_expr(col: str) -> pl.Expr:
    """Minutes played (float) from the string column ``col``: ``"MM:SS"`` (also
    ``"MM:SS:00"`` and ``"M.000000:SS"``), a fraction of a day (``"0.916666667"``: 24 x 0.9167
    = 22.0), ``"PT34M12.00S"``, a plain number (minutes), or null for blank/None/any text
    starting with a letter other than ``PT`` (``"DNP - Coach's Decision"``). Values of no known
    form also give null here; :func:`parse_columns` rejects them."""
    s = pl.col(col).str.strip_chars()
    clock_m = s.str.extract(_CLOCK, 1).cast(pl.Float64)
    clock_s = s.str.extract(_CLOCK, 2).cast(pl.Float64)
    iso = s.str.contains(r"^PT\d")
    iso_m = s.str.extract(_ISO, 1).cast(pl.Float64).fill_null(0.0)
    iso_s = s.str.extract(_ISO, 2).cast(pl.Float64).fill_null(0.0)
    number = s.cast(pl.Float64, strict=False)
    return (
        pl.when(clock_m.is_not_null())
        .then(clock_m + clock_s / 60.0)
        .when(iso & s.str.contains(_ISO))
        .then(iso_m + iso_s / 60.0)
        .when(s.str.contains(_DAY_FRACTION))
        .then(number * HOURS_PER_DAY)
        .when(s.str.contains(_NUMBER))
        .then(number)
        .otherwise(None)
    )


def no_minutes_text(col: str) -> pl.Expr:
    """True where ``col`` says the player has no minutes: null, blank, or a text starting with a
    letter (``"DNP - Injury/Illness"``, ``"NWT - Not With Team"``) that is not an ISO duration."""
    s = pl.col(col).str.strip_chars()
    return s.is_null() | (s == "") | (s.str.contains(r"^[A-Za-z]") & ~s.str.contains(r"^PT\d"))


def whole_number_expr(*cols: str) -> pl.Expr:
    """Int64 columns from string columns of whole numbers, allowing ``"+19"`` and ``"19.0"``;
    null for null/blank; anything else also null (rejected by :func:`parse_columns`). One
    expression for all ``cols``: building an expression per column costs more than parsing a
    date's rows."""
    x = pl.col(*cols).str.strip_chars().str.strip_prefix("+").cast(pl.Float64, strict=False)
    return pl.when(x == x.round()).then(x.cast(pl.Int64)).otherwise(None)


def parse_columns(raw: pl.DataFrame, minutes: str, numbers: tuple[str, ...], what: str) -> pl.DataFrame:
    """``raw`` (strings) with the column ``minutes`` parsed by :func:`minutes_expr` and the
    columns ``numbers`` by :func:`whole_number_expr`.

    Raise :class:`BoxScoreError` (without the file name; the caller adds it) when a value that
    is not blank (nor, for minutes, a text such as ``"DNP ..."``) did not parse, naming the
    column and the value.
    """
    frame = raw.with_columns(pl.all().cast(pl.String))
    parsed = frame.with_columns(minutes_expr(minutes).alias(minutes), whole_number_expr(*numbers))
    given = frame.select(
        (~no_minutes_text(minutes)).sum().alias(minutes),
        (pl.col(*numbers).str.strip_chars().fill_null("") != "").sum(),
    ).row(0, named=True)
    read = parsed.select(pl.col(minutes, *numbers).is_not_null().sum()).row(0, named=True)
    bad = [c for c in (minutes, *numbers) if read[c] < given[c]]
    if bad:
        c = bad[0]
        given_value = no_minutes_text(c).not_() if c == minutes else pl.col(c).str.strip_chars().fill_null("") != ""
        wrong = frame.with_row_index("_row").filter(given_value & parsed.get_column(c).is_null()).row(0, named=True)
        raise BoxScoreError(f"{what} {wrong['_row'] + 1}: column {c!r} has a value of no expected form: {wrong[c]!r}")
    return parsed


def players_table(raw: pl.DataFrame) -> pl.DataFrame:
    """Type the readers' player rows (strings with the canonical names; ``starter`` the
    source's position, non-empty for starters, ``comment`` and ``plus_minus`` may be missing)
    as :data:`PLAYER_SCHEMA`."""
    optional = ("starter", "comment", "plus_minus")
    raw = raw.with_columns(pl.lit(None, pl.String).alias(c) for c in optional if c not in raw.columns)
    frame = parse_columns(raw, "minutes", (*STAT_COLUMNS, "plus_minus", "team_id", "player_id"), "player line")
    dnp = pl.col("minutes").fill_null(0.0) <= 0.0
    stats = pl.col("minutes", *STAT_COLUMNS, "plus_minus")
    return (
        frame.lazy()
        .select(
            "game_id",
            "team_id",
            "player_id",
            pl.col("player_name").str.strip_chars(),
            (pl.col("starter").str.strip_chars() != "").alias("starter"),
            pl.col("comment").fill_null("").str.strip_chars(),
            dnp.alias("dnp"),
            pl.when(~dnp).then(stats),
        )
        .select(PLAYER_SCHEMA.names())
        .cast(PLAYER_SCHEMA)
        .collect()
    )


def teams_table(raw: pl.DataFrame, players: pl.DataFrame) -> pl.DataFrame:
    """Type the readers' team rows (strings, canonical names, ``team_minutes`` in any minutes
    form) as :data:`TEAM_SCHEMA`. A team whose source gives no totals (balldontlie: every
    statistic missing) gets the sums of its players' lines."""
    raw = raw.with_columns(pl.lit(None, pl.String).alias(c) for c in STAT_COLUMNS if c not in raw.columns)
    frame = parse_columns(raw, "team_minutes", (*STAT_COLUMNS, "team_id"), "team line")
    sums = players.lazy().group_by("game_id", "team_id").agg(pl.col(*STAT_COLUMNS).sum().name.prefix("_sum_"))
    no_totals = pl.all_horizontal(pl.col(*STAT_COLUMNS).is_null())
    return (
        frame.lazy()
        .join(sums, on=["game_id", "team_id"], how="left")
        .with_columns(pl.when(no_totals).then(pl.col(f"_sum_{c}")).otherwise(pl.col(c)).alias(c) for c in STAT_COLUMNS)
        .select(TEAM_SCHEMA.names())
        .cast(TEAM_SCHEMA)
        .collect()
    )
