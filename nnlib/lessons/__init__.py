"""The lessons wing: one module per lecture idea that is not a reusable building block.

``universal_approximation`` (notebook 01), ``convex_regions`` (01), ``lockstep`` (02: several
seeds of one sigmoid MLP trained side by side), ``hierarchy`` (03: layer representations,
linear probes, shift similarity), ``gradient_flow`` (04-05: the scalar chain and variance
propagation), ``gradient_lab`` (04-05: per-layer diagnostics of a deep MLP),
``optimiser_surfaces`` (06: 2-D costs with exact gradients, trajectories of the real
optimisers), ``optimiser_theory`` (06: the quadratic's rates), ``batchnorm`` (07: why batch
normalisation helps, measured), ``skip_paths`` (07: the gradient's paths through skip
connections), ``pretraining`` (08: greedy layer-wise pre-training), ``explaining_away`` (08:
exact posteriors of a small belief net), ``lecture_examples`` (09-11: the slides' example
arrays, imported by notebooks and labs alike), ``convolution`` (09-12: the mask as a weight
matrix, representation change, nearest-neighbour accuracy, timing), ``regularization`` (13:
an MLP on a small slice of MNIST with penalties, dropout and augmentation). Lessons import
building blocks; building blocks never import lessons. ``tests/test_layout.py`` checks that
this list names every module of the wing.
"""
