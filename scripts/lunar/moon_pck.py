"""The Moon's orientation text kernel (rule lunar_moon_pck)."""

from shardflow.io import script_logger
from shardflow.lunar.kernels import write_moon_pck

log = script_logger(snakemake.log[0], "lunar.moon_pck")
write_moon_pck(snakemake.output[0])
log.info("IAU 2009 Moon orientation with its 13 periodic terms written to %s", snakemake.output[0])
