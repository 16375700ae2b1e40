"""Exercises of notebook 00 (start here: widgets, the environment, a first look at MNIST).

``from nnlib.exercises import nb00 as ex``; then ``ex.q1.check(answer)`` and ``ex.q1.hint()``.
The answers live in ``solutions/00_start_here.py``, not here. The widget exercise (q4) runs the
student's function on a real ipywidgets slider and a matplotlib line, both made here and never
shown.
"""

from __future__ import annotations

import numpy as np

from . import ChoiceExercise, CodeExercise, NumericExercise, OpenQuestion, compare_arrays

q1 = NumericExercise(
    "q1", digest="e9885dbd9d36a2d1497640af44fd514169074403f57177d06a0d5b4194b4ff81",
    size="bf26c7e12dca8c057fb6ad9839db9820567d9a6722e330b6ccf2bae17fd23c10",
    step=1, neighbours=0,
    prompt="Predict first, then move the slider: at frequency 3, how many times does the curve "
           "sin(2π·3·x) cross zero strictly between x = 0 and x = 1?",
    hints=("sin(2πfx) is zero where 2fx is a whole number.",
           "Write the zeros as x = m / (2·3) for whole numbers m; which m put x strictly inside "
           "(0, 1)? Leave out both ends."))


def _check_connect(fn, rng):
    """fn(slider, line, x) must make ``line`` show sin(2π·f·x) whenever the slider moves to f,
    by changing the line's data (no new line, no new figure)."""
    import ipywidgets
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

    x = np.linspace(0.0, 1.0, int(rng.integers(50, 300)))
    fig = Figure()
    ax = fig.add_subplot()
    (line,) = ax.plot(x, np.zeros_like(x))
    slider = ipywidgets.FloatSlider(value=1.0, min=0.5, max=5.0, step=0.5)
    figures_before = len(plt.get_fignums())
    fn(slider, line, x)
    values = [v for v in rng.permutation(np.arange(0.5, 5.01, 0.5)) if v != 1.0][:4]
    for v in values:
        before = np.array(line.get_ydata(), dtype=float, copy=True)
        slider.value = float(v)
        if len(plt.get_fignums()) != figures_before:
            return False, "moving the slider opened a new figure: change the existing line"
        if len(ax.lines) != 1 or ax.lines[0] is not line:
            return False, ("moving the slider added a line: give the existing line new data "
                           "(line.set_ydata) instead of plotting again")
        after = np.asarray(line.get_ydata(), dtype=float)
        if after.shape == before.shape and np.array_equal(after, before):
            return False, (f"the line did not change when the slider moved to {v:g}: did you "
                           "connect your function with slider.observe(..., names='value')?")
        ok, why = compare_arrays(f"the line's y data after the slider moved to {v:g}", after,
                                 np.sin(2 * np.pi * v * x), rtol=1e-6, atol=1e-9)
        if not ok:
            return False, why
    return True, "the existing line follows the slider"


q4 = CodeExercise(
    "q4", checker=_check_connect,
    prompt="Write connect(slider, line, x): after it runs, moving the slider to a frequency f "
           "makes the existing line show sin(2π·f·x).",
    hints=("Define a function of one argument, `change`, that reads `change['new']` (the slider's "
           "new value) and gives the line new y data; register it with `slider.observe(..., "
           "names='value')`.",
           "Look at `redraw` in section 3: the same idea works here, with the `line` and `x` that "
           "connect receives (`line.figure.canvas` gives you the canvas to redraw)."))

q2 = NumericExercise(
    "q2", digest="fd6daea6de7698d6de8a3159ab7c718747dbf452d8e76ef5b3045625fd281ed9",
    size="160da969b1ce7ac94e4793df41bc5bd918c11ff6177c0df4e6ce1f520abf8ad6",
    step=0.001,
    prompt="A 'classifier' answers '1' for every test image. What fraction of the 10 000 test "
           "images does it get right? Compute it from test_labels.",
    hints=("It is right exactly on the test images whose label is 1.",
           "Compare `test_labels` with 1: that gives one True or False per image, and the mean of "
           "a boolean array is the fraction of True."))

q3 = NumericExercise(
    "q3", digest="b08334be3c8156972a376bb21fa6c9f9cd9a464c1e63319d129532e25fc32d6a",
    size="cda1677084881eb9446cd9518d56b17af37b0071cc6fa7a11f478800f2ec318a",
    step=0.001,
    prompt="Scale the training images to [0, 1] (divide by 255). What is their mean pixel value, "
           "over all 60 000 images and all pixels?",
    hints=("Most pixels are background (0); ink is near 1. Expect a small number.",
           "Divide by 255 as floats before you average (`train_images` holds uint8: summing it "
           "yourself can overflow); one mean runs over every image and every pixel at once."))

q5 = ChoiceExercise(
    "q5", digest="9fd978b7d195f411a105c116284b15df0dfafeb071d3f67ec02800eec3c4f864",
    choices=("a", "b", "c"),
    prompt="You set NNLIB_DEVICE=cuda on a laptop without an NVIDIA GPU and call "
           "choose_device(). What happens? (a) it quietly falls back to the CPU; (b) it raises "
           "an error that names the devices that are available; (c) it picks Apple's MPS.",
    hints=("An explicit request that cannot be met: should the library guess, or tell you?",
           "Read `choose_device`'s docstring (`help(choose_device)`), or call "
           "`choose_device('cuda')` on a machine without CUDA and read what it says."))

q6 = OpenQuestion(
    "q6",
    prompt="The labs change the data of lines that are already drawn (set_ydata) instead of "
           "plotting a new figure every time a slider moves. Give two reasons why.")
