"""Snakemake ``script:``: download every light curve of each star of one batch from MAST.

Reads ``wildcards.batch`` and ``params`` (``stars``: [star id, mission] pairs, ``author``,
``exptime``, ``retries``, ``backoff_s``, ``timeout_s``, ``cache_dir``), writes the batch's
download record (JSON, ``{"batch": n, "stars": {star_id: record}}``) to ``output.record`` and logs
to ``log[0]``. Files already in the cache are not fetched again. Persistent transient failures
raise, failing this batch's job only; see ``shardflow.exoplanets.mast``.
"""

from shardflow.exoplanets.mast import download_lightcurve, write_record
from shardflow.io import script_logger


def main(smk) -> None:
    batch = int(smk.wildcards.batch)
    logger = script_logger(smk.log[0], f"download.batch_{batch:04d}")
    params = smk.params
    stars = {}
    for star_id, mission in params.stars:
        try:
            record = download_lightcurve(
                star_id,
                mission,
                params.cache_dir,
                author=params.author,
                exptime=None if params.exptime is None else float(params.exptime),
                retries=int(params.retries),
                backoff_s=float(params.backoff_s),
                timeout_s=float(params.timeout_s),
                logger=logger,
            )
        except Exception:
            logger.exception("download of %s failed", star_id)
            raise
        stars[star_id] = record
        logger.info("%s: %s (%s)", star_id, record["status"], ", ".join(record["paths"]) or record["reason"])
    write_record({"batch": batch, "stars": stars}, smk.output.record)


main(snakemake)  # noqa: F821 - injected by Snakemake
