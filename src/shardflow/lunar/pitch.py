"""Pitch-angle geometry of the ER channels and the two views of a spectrum the fits take.

For a channel looking along d (unit vector, :func:`.instrument.look_directions`) and the field
B of its energy row, c = B.d / |B|. Electrons on a field line through the spacecraft travel
either towards the Moon (incident) or away from it (reflected at the surface or by the
field's convergence); the two hemispheres are c > 0 and c < 0, in an order the file cannot
tell (the field's sign and the frame's orientation relative to the Moon are unknown without
attitude). :func:`incident_sign` takes the incident hemisphere to be the one with more flux
along the field (|c| > 0.7, within 45 degrees of it), summed over energies: a loss cone only
removes electrons, from the reflected hemisphere. Without a loss cone the choice does not
matter.

For a reflected channel, beta = arccos|c| is the angle of the electrons' velocity from the
field direction pointing away from the Moon, i.e. 180 deg minus their pitch angle; the loss
cone empties the channels with beta < alpha_c.

Views (energy rows ascending):

* :func:`incident_view`: per energy, the solid-angle weighted mean flux of the incident
  channels (an isotropic estimate unaffected by the loss cone), their summed counts
  (flux x G E dt, negative fluxes as zero) and their summed exposure G E dt, for the kappa fit;
* the normalised distribution for the loss cone, flux / (incident mean flux of its energy).

Channels with a missing flux or azimuth, and every channel of a spectrum whose field is not
between 1e-9 and 1e3 nT in magnitude on all rows (as the original pipeline's cleaning), are
not used; without a field the incident view uses all channels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .instrument import THETA_DEG, channel_tables, count_factor

ALONG_FIELD = 0.7
B_MIN_NT, B_MAX_NT = 1e-9, 1e3


@dataclass(frozen=True)
class ChannelGeometry:
    """Per spectrum: ``field_ok`` (n,); per channel (n, 15, 88): ``valid`` and ``cos_field``
    (c, NaN where unusable); ``incident`` (n,) +1 or -1, the sign of c of the incident
    hemisphere."""

    field_ok: np.ndarray
    valid: np.ndarray
    cos_field: np.ndarray
    incident: np.ndarray


def field_cosines(
    b_nt: np.ndarray, phi_deg: np.ndarray, theta_deg: np.ndarray = THETA_DEG
) -> tuple[np.ndarray, np.ndarray]:
    """c = B.d/|B| of every channel, (n, 15, 88), and whether each spectrum's field is usable."""
    magnitude = np.linalg.norm(b_nt, axis=-1)
    field_ok = ((magnitude > B_MIN_NT) & (magnitude < B_MAX_NT)).all(axis=1)
    unit = b_nt / np.where(magnitude > 0, magnitude, 1.0)[..., None]
    theta = np.radians(theta_deg)
    phi = np.radians(phi_deg)
    cos_t = np.cos(theta)
    c = cos_t * (unit[..., 0:1] * np.cos(phi) + unit[..., 1:2] * np.sin(phi)) + np.sin(theta) * unit[..., 2:3]
    return c, field_ok


def incident_sign(cos_field: np.ndarray, flux: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """+1 or -1 per spectrum: the sign of c on the side with the higher mean flux along the
    field, each energy weighted equally (relative difference per energy, summed)."""
    along = valid & (np.abs(cos_field) > ALONG_FIELD)
    plus = along & (cos_field > 0)
    minus = along & (cos_field < 0)
    f = np.where(along, np.maximum(flux, 0.0), 0.0)
    mean_plus = (f * plus).sum(axis=2) / np.maximum(plus.sum(axis=2), 1)
    mean_minus = (f * minus).sum(axis=2) / np.maximum(minus.sum(axis=2), 1)
    both = (plus.sum(axis=2) > 0) & (minus.sum(axis=2) > 0)
    total = mean_plus + mean_minus
    relative = np.where(both & (total > 0), (mean_plus - mean_minus) / np.where(total > 0, total, 1.0), 0.0)
    return np.where(relative.sum(axis=1) >= 0, 1.0, -1.0)


def channel_geometry(
    b_nt: np.ndarray, phi_deg: np.ndarray, flux: np.ndarray, theta_deg: np.ndarray = THETA_DEG
) -> ChannelGeometry:
    """:class:`ChannelGeometry` of spectra (arrays as :class:`.er3d.Spectra` holds them)."""
    c, field_ok = field_cosines(b_nt, phi_deg, theta_deg)
    valid = np.isfinite(flux) & np.isfinite(phi_deg)
    cos_field = np.where(valid & field_ok[:, None, None], c, np.nan)
    return ChannelGeometry(field_ok, valid, cos_field, incident_sign(cos_field, flux, valid & field_ok[:, None, None]))


@dataclass(frozen=True)
class IncidentView:
    """Per energy row (n, 15): mean incident ``flux``, summed ``counts`` and ``exposure``."""

    flux: np.ndarray
    counts: np.ndarray
    exposure: np.ndarray


def incident_mask(geometry: ChannelGeometry) -> np.ndarray:
    """(n, 15, 88): the usable channels of the incident hemisphere (all usable channels where
    the field is not usable)."""
    signed = geometry.cos_field * geometry.incident[:, None, None]
    return geometry.valid & (~geometry.field_ok[:, None, None] | (signed > 0))


def incident_view(
    energy_ev: np.ndarray, flux: np.ndarray, geometry: ChannelGeometry, theta_deg: np.ndarray = THETA_DEG
) -> IncidentView:
    """:class:`IncidentView` of spectra (energy (n, 15), flux (n, 15, 88))."""
    solid_angle, dt = channel_tables(theta_deg)
    use = incident_mask(geometry)
    f = np.where(use, flux, 0.0)
    weight = use * solid_angle
    mean = (f * weight).sum(axis=2) / np.where(weight.sum(axis=2) > 0, weight.sum(axis=2), np.nan)
    factor = count_factor(energy_ev, dt)
    counts = (np.maximum(f, 0.0) * factor).sum(axis=2)
    exposure = (use * factor).sum(axis=2)
    return IncidentView(mean, counts, exposure)
