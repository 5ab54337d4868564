# The lunar pipeline's constants and input functions (included by rules/lunar.smk). They read
# the pipeline's folders only when called, that is when its rules are in the requested DAG.

LUNAR = config["lunar"]
LUNAR_DEMO_DIR = "resources/demo/lunar"
LUNAR_ER_DIR = LUNAR["er_dir"]
LUNAR_IS_DEMO = os.path.normpath(LUNAR_ER_DIR) == os.path.normpath(f"{LUNAR_DEMO_DIR}/er")
LUNAR_PCK = "resources/lunar/kernels/moon_iau2009.tpc"


def lunar_file_month(name):
    """YYYY-MM of an ER 3D file name 3DYYMMDD.TAB (any case; YY >= 90 is 19YY), else None."""
    import re

    match = re.fullmatch(r"3D(\d{2})(\d{2})\d{2}\.TAB", name, flags=re.IGNORECASE)
    if not match:
        return None
    year = int(match[1])
    return f"{1900 + year if year >= 90 else 2000 + year}-{match[2]}"


def lunar_demo_files():
    return [f"{LUNAR_ER_DIR}/3D{d[2:4]}{d[5:7]}{d[8:10]}.TAB" for d in LUNAR["demo"]["days"]]


@lru_cache
def lunar_files_by_month():
    """{YYYY-MM: sorted ER 3D files}: the demo's files, or those found under er_dir; only the
    months of lunar.months when it is set (a listed month without files is an error)."""
    paths = []
    if LUNAR_IS_DEMO:
        paths = lunar_demo_files()
    elif os.path.isdir(LUNAR_ER_DIR):
        paths = [os.path.join(root, f) for root, _, files in os.walk(LUNAR_ER_DIR) for f in files]
    months = {}
    for path in sorted(paths):
        month = lunar_file_month(os.path.basename(path))
        if month:
            months.setdefault(month, []).append(path)
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
