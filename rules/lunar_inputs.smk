# The lunar pipeline's constants and input functions (included by rules/lunar.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

from shardflow.lunar.files import ERListing, er_file_day, list_er_dir

LUNAR = config["lunar"]
LUNAR_DEMO_DIR = "resources/demo/lunar"
LUNAR_ER_DIR = LUNAR["er_dir"]
LUNAR_IS_DEMO = os.path.normpath(LUNAR_ER_DIR) == os.path.normpath(f"{LUNAR_DEMO_DIR}/er")
LUNAR_PCK = "resources/lunar/kernels/moon_iau2009.tpc"


def lunar_demo_files():
    return [f"{LUNAR_ER_DIR}/3D{d[2:4]}{d[5:7]}{d[8:10]}.TAB" for d in LUNAR["demo"]["days"]]


@lru_cache
def lunar_listing():
    """The ER 3D files by month and the other files with their reasons (shardflow.lunar.files):
    the demo's files, or what er_dir holds (its names only: no file is opened)."""
    if LUNAR_IS_DEMO:
        months = {}
        for path in sorted(lunar_demo_files()):
            months.setdefault(f"{er_file_day(os.path.basename(path)):%Y-%m}", []).append(path)
        return ERListing(months)
    if not os.path.isdir(LUNAR_ER_DIR):
        return ERListing()
    return list_er_dir(LUNAR_ER_DIR, [*([LUNAR["theta_file"]] if LUNAR["theta_file"] else []), *LUNAR["kernels"]])


@lru_cache
def lunar_files_by_month():
    """{YYYY-MM: sorted ER 3D files}: only the months of lunar.months when it is set (a listed
    month without files is an error)."""
    months = lunar_listing().months
    if LUNAR["months"]:
        missing = sorted(set(LUNAR["months"]) - set(months))
        if missing:
            no_shards(
                "lunar.er_dir",
                LUNAR_ER_DIR,
                f"3DYYMMDD.TAB files of every month in lunar.months {LUNAR['months']}",
                found=f"no ER 3D file of {', '.join(missing)} ({len(months)} other months have files)",
            )
        months = {m: months[m] for m in LUNAR["months"]}
    if not months:
        no_shards("lunar.er_dir", LUNAR_ER_DIR, "ER 3D files named 3DYYMMDD.TAB, in the folder or below it")
    return months


def lunar_other_files(wildcards=None):
    """The files under er_dir that no reader takes: inputs of lunar_merge, rows of read_errors.csv."""
    return list(lunar_listing().other)


def lunar_other_reasons(wildcards=None):
    """Why each of lunar_other_files is not read, in the same order."""
    return list(lunar_listing().other.values())


def lunar_kernels(wildcards=None):
    """The trajectory kernels: the demo's generated orbit, or the user's lunar.kernels (required,
    so that real spectra are never paired with the demo orbit)."""
    if LUNAR_IS_DEMO:
        return [f"{LUNAR_DEMO_DIR}/kernels/lp_demo_orbit.bsp"]
    if not LUNAR["kernels"]:
        raise WorkflowError("lunar.kernels is empty: list the SPK files of the spacecraft trajectory for your er_dir")
    return LUNAR["kernels"]


def lunar_months():
    return sorted(lunar_files_by_month())


def lunar_month_outputs(pattern):
    """Input function: ``pattern`` expanded over every month."""
    return lambda wildcards: expand(pattern, month=lunar_months())


def lunar_outputs(wildcards=None):
    """The final outputs of the pipeline (what the target `lunar` builds): a map per month."""
    return [
        "results/lunar/potential.parquet",
        "results/lunar/read_errors.csv",
        "results/lunar/plots/timeseries.png",
        *expand("results/lunar/plots/map_{month}.png", month=lunar_months()),
    ]


PIPELINE_OUTPUTS["lunar"] = lunar_outputs


def lunar_month_files(wildcards):
    return lunar_files_by_month()[wildcards.month]
