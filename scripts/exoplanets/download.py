"""Snakemake ``script:``: download one catalog target's light curve from MAST.

Reads ``wildcards.target_id`` and ``params`` (``mission``, ``author``, ``exptime``, ``retries``,
``backoff_s``, ``timeout_s``, ``cache_dir``), writes the download record (JSON) to ``output.record`` and logs to
``log[0]``. Persistent transient failures raise, failing this job only; see
``shardflow.exoplanets.mast``.
"""

from shardflow.exoplanets.mast import download_lightcurve, write_record
from shardflow.io import script_logger


def main(smk) -> None:
    target_id = smk.wildcards.target_id
    logger = script_logger(smk.log[0], f"download.{target_id}")
    params = smk.params
    try:
        record = download_lightcurve(
            target_id,
            params.mission,
            params.cache_dir,
            author=params.author,
            exptime=None if params.exptime is None else float(params.exptime),
            retries=int(params.retries),
            backoff_s=float(params.backoff_s),
            timeout_s=float(params.timeout_s),
            logger=logger,
        )
    except Exception:
        logger.exception("download of %s failed", target_id)
        raise
    write_record(record, smk.output.record)
    logger.info("%s: %s (%s)", target_id, record["status"], record["path"] or record["reason"])


main(snakemake)  # noqa: F821 - injected by Snakemake
