"""The lessons wing: one module per lecture idea that is not a reusable building block.

``universal_approximation`` (notebook 01), ``convex_regions`` (01), ``hierarchy`` (03: layer
representations, linear probes, shift similarity), ``gradient_flow`` (04-05:
the scalar chain and variance propagation), ``gradient_lab`` (04-05: per-layer diagnostics of a
deep MLP), ``lecture_examples`` (09-11: the slides' example arrays, imported by notebooks
and labs alike), ``convolution`` (09-12: the mask as a weight matrix, representation
change, nearest-neighbour accuracy, timing), ``optimiser_surfaces`` (06: 2-D costs with exact
gradients, trajectories of the real optimisers), ``optimiser_theory`` (06: the quadratic's
rates). Lessons import building blocks; building blocks
never import lessons.
"""
