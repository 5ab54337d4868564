"""Spacecraft floating potential from the current balance, sunlit and shadowed (Halekas et al.
2008, J. Geophys. Res. 113, A09102, doi:10.1029/2008JA013194; the original pipeline's
``src/spacecraft_potential.py`` and its design notes).

Currents are densities (A/m^2) on the spacecraft surface, electrons collected orbit-limited
from an isotropic distribution: the collected current is the one-way flux of the distribution
*at the spacecraft*, e pi * integral j_m(E) dE, which is what the ER measures (:mod:`.kappa`
gives j_m in closed form for any potential).

* **Sunlit** (U > 0): photoelectron emission balances the collected ambient electrons, ions
  neglected. The emission follows Halekas et al. (2008, paragraph 23; coefficients as corrected
  by the original pipeline)::

      J_ph(U) = 1.07e-6 exp(-U / 5 V) + 1.6e-8 exp(-U / 60 V)    A/m^2

  and the electrons are those measured above U (below it the ER sees the spacecraft's own
  photoelectrons): J_e(U) = e pi * integral_U^inf j_m(E) dE, in closed form for a kappa
  distribution. :func:`sunlit_potential` finds U in [0, 150] V.
* **Shadowed** (U < 0): J_i(U) + J_see = J_e, with the electrons all measured (they arrive
  decelerated, J_e = e pi * integral j_m), secondary electrons from their impacts with the
  Sternglass yield delta(E) = 7.4 delta_m (E/E_m) exp(-2 sqrt(E/E_m)) (J_see = e pi *
  integral delta j_m, numerically), and attracted ions, orbit-limited, at the ambient density
  and with the ion temperature equal to the ambient electron temperature::

      J_i(U) = e n sqrt(e T / (2 pi m_p)) (1 - U / T)

  where (n, T) follow from the measured fit and the trial U (:func:`.kappa.to_ambient`).
  :func:`shadow_potential` finds U in (-kappa W_m, 0).

Both solve their balance by bisection, vectorised over spectra (64 halvings); a spectrum
whose balance has no root in the interval gets NaN.
"""

from __future__ import annotations

import numpy as np

from .kappa import E_CHARGE, FLUX_K, flux, log_norm, temperature_ev, to_ambient, to_measured

M_PROTON = 1.67262192369e-27  # kg
JU_COEFFICIENTS = (1.07e-6, 5.0, 1.6e-8, 60.0)  # A/m^2, V, A/m^2, V
SUNLIT_MAX_V = 150.0
_GRID = np.geomspace(0.1, 2.0e5, 160)  # eV, for the secondary-electron integral


def photo_current(potential_v):
    """Photoelectron current density J_ph(U) (A/m^2) of a sunlit spacecraft at U >= 0."""
    a, b, c, d = JU_COEFFICIENTS
    return a * np.exp(-potential_v / b) + c * np.exp(-potential_v / d)


def collected_electron_current(potential_v, density_m, w_m, kappa):
    """e pi * integral over E > max(U, 0) of the measured kappa flux (A/m^2), in closed form:
    with a = kappa W_m, u = max(U, 0) and b = a + u::

        integral_u^inf E (1 + E/a)^-(kappa+1) dE = (1 + u/a)^-(kappa+1) (b^2 / (kappa (kappa-1)) + u b / kappa)
    """
    u = np.maximum(potential_v, 0.0)
    a = kappa * w_m
    b = a + u
    integral = (1.0 + u / a) ** (-(kappa + 1.0)) * (b * b / (kappa * (kappa - 1.0)) + u * b / kappa)
    number_flux = np.pi * FLUX_K * density_m * np.exp(log_norm(kappa)) * w_m**-1.5 * integral  # cm^-2 s^-1
    return E_CHARGE * 1e4 * number_flux


def sternglass_yield(energy_ev, peak_yield, peak_energy_ev):
    """Secondary electrons per impacting electron of energy E (Sternglass 1954)."""
    x = np.maximum(energy_ev, 0.0) / peak_energy_ev
    return 7.4 * peak_yield * x * np.exp(-2.0 * np.sqrt(x))


def secondary_current(density_m, w_m, kappa, peak_yield, peak_energy_ev):
    """e pi * integral delta(E) j_m(E) dE (A/m^2) for measured (n_m, W_m, kappa) arrays (n,),
    trapezoid in ln E on 160 energies from 0.1 eV to 200 keV."""
    e = _GRID[None, :]
    j = flux(e, np.asarray(density_m)[:, None], np.asarray(w_m)[:, None], np.asarray(kappa)[:, None])
    integrand = sternglass_yield(e, peak_yield, peak_energy_ev) * j * e
    return E_CHARGE * 1e4 * np.pi * np.trapezoid(integrand, np.log(_GRID), axis=1)


def ion_current(potential_v, density_cm3, t_ev):
    """Orbit-limited ion (proton) current density (A/m^2) at U <= 0, ion temperature T (eV)."""
    j0 = E_CHARGE * density_cm3 * 1e6 * np.sqrt(E_CHARGE * t_ev / (2.0 * np.pi * M_PROTON))
    return j0 * (1.0 - potential_v / t_ev)


def _bisect(f, lo, hi, iterations=64):
    """Root of f (increasing from negative at lo to positive at hi) per element; NaN where
    f(lo) and f(hi) do not bracket it."""
    f_lo, f_hi = f(lo), f(hi)
    ok = (f_lo < 0) & (f_hi > 0)
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        up = f(mid) > 0
        hi = np.where(up, mid, hi)
        lo = np.where(up, lo, mid)
    return np.where(ok, 0.5 * (lo + hi), np.nan)


def sunlit_potential(density_m, w_m, kappa):
    """U (V) in [0, 150] with J_e(U) = J_ph(U), from the measured kappa parameters (n,)."""
    density_m, w_m, kappa = (np.asarray(x, dtype=float) for x in (density_m, w_m, kappa))
    with np.errstate(all="ignore"):
        return _bisect(
            lambda u: collected_electron_current(u, density_m, w_m, kappa) - photo_current(u),
            np.zeros_like(w_m),
            np.full_like(w_m, SUNLIT_MAX_V),
        )


def shadow_potential(density_m, w_m, kappa, peak_yield, peak_energy_ev):
    """U (V) in (-kappa W_m, 0) with J_i(U) + J_see = J_e, from the measured kappa parameters."""
    density_m, w_m, kappa = (np.asarray(x, dtype=float) for x in (density_m, w_m, kappa))
    with np.errstate(all="ignore"):
        see = secondary_current(density_m, w_m, kappa, peak_yield, peak_energy_ev)
        net = collected_electron_current(0.0, density_m, w_m, kappa) - see

        def excess(u):
            n, w = to_ambient(density_m, w_m, kappa, u)
            return ion_current(u, n, temperature_ev(w, kappa)) - net

        # f decreases from +inf (ambient W -> 0) at -kappa W_m to J_i(0) - net at 0.
        return _bisect(lambda u: -excess(u), -kappa * w_m * (1.0 - 1e-9), np.zeros_like(w_m))


def ambient_potential(density_cm3, w_ev, kappa, shadow, peak_yield, peak_energy_ev):
    """The floating potential (V) of a spacecraft in the ambient plasma (n, W, kappa): the
    balances above solved with the ambient parameters fixed (what the demo takes as truth).
    ``shadow`` (bool array) selects the branch."""
    density_cm3, w_ev, kappa = (np.asarray(x, dtype=float) for x in (density_cm3, w_ev, kappa))
    shadow = np.asarray(shadow, dtype=bool)

    def balance(u):  # collected electrons minus the currents that charge the spacecraft positive
        n_m, w_m = to_measured(density_cm3, w_ev, kappa, np.minimum(u, 0.0))
        see = secondary_current(n_m, w_m, kappa, peak_yield, peak_energy_ev)
        ions = ion_current(np.minimum(u, 0.0), density_cm3, temperature_ev(w_ev, kappa))
        shaded = collected_electron_current(0.0, n_m, w_m, kappa) - see - ions
        # sunlit: all ambient electrons arrive, accelerated: e pi * integral (E + U) j(E) dE / E
        j0 = collected_electron_current(0.0, density_cm3, w_ev, kappa)
        sunlit = j0 * (1.0 + np.maximum(u, 0.0) * (kappa - 1.0) / (kappa * w_ev)) - photo_current(np.maximum(u, 0.0))
        return np.where(shadow, shaded, sunlit)

    with np.errstate(all="ignore"):
        # Both branches increase with U: more electrons collected, fewer ions or photoelectrons.
        lo = np.where(shadow, -60.0 * temperature_ev(w_ev, kappa), 0.0)
        hi = np.where(shadow, 0.0, SUNLIT_MAX_V)
        return _bisect(balance, lo, hi)
