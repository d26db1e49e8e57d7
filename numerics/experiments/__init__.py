"""Experiments, one module per source (stem = the source's stem in theory/, claims/, tests/, docs/).

- :mod:`numerics.experiments.basri2019`         -- learning time of single harmonics (Basri et al. 2019);
- :mod:`numerics.experiments.cnnflow_fourier`   -- Fourier view of CNN training: spectra, Grams, rates (the gradient-flow note);
- :mod:`numerics.experiments.cnnflow_retrieval` -- frequency-retrieval runs on trained CNNs (the gradient-flow note);
- :mod:`numerics.experiments.zhou2023`          -- initial condensation of CNN kernels (Zhou et al. 2023).
"""
