"""Real-browser test of presenting, exactly as README's "Presenting live" says: the instructor
copy that ``make present`` builds, opened in JupyterLab with ``NNLIB_PRESENTER=1``; run all;
the slides started with the notebook toolbar's slides button (jupyterlab-slideshow); Space
pressed from the keyboard through at least three slides, up to the gradient lab's slide; on
it the lab's controls and plot both inside the 1280x720 window; the depth slider dragged with
the mouse: the slider's value and the plot's canvas pixels change, and the slide stays; then
Escape stops the slides.

Along the way: the collapsed setup cells and the speaker notes are never on a slide.

Uses the server, browser and page helpers of ``tools/browser.py``. Needs ``/usr/bin/chromium``
and playwright: skipped without them, failed instead under ``CI=true``. Every wait waits on the
event it needs, with a generous bound; on failure the message says which wait ran out and a
screenshot goes to ``test-artifacts/browser_present.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the repository's tools/ (not installed with nnlib)

from tools import browser as tb  # noqa: E402
from tools import present as tp  # noqa: E402

NOTEBOOK = "04_vanishing_exploding_gradients.ipynb"
LAB = "gradient_lab()"
DEPTH = tb.Control(LAB, "depth")
ARTIFACTS = ROOT / "test-artifacts"
WIDTH, HEIGHT = 1280, 720
MAX_STEPS = 120   # Space presses allowed to reach the lab's slide

#: which cells the slideshow shows now, the active cell, and where the lab's parts are
_JS_DECK = """(labText) => {
  const nb = window.jupyterapp.shell.currentWidget;
  const cells = nb.content.widgets, shown = [];
  let lab = null;
  for (let i = 0; i < cells.length; i++) {
    const node = cells[i].node, r = node.getBoundingClientRect();
    if (getComputedStyle(node).display === 'none' || r.height <= 0) continue;
    if (r.bottom <= 0 || r.top >= window.innerHeight) continue;
    const m = cells[i].model, slide = (m.getMetadata('slideshow') || {}).slide_type || null;
    const hidden = !!(m.getMetadata('jupyter') || {}).source_hidden;
    shown.push({i, slide, hidden, type: m.type,
                text: m.sharedModel.getSource().slice(0, 40)});
    if (m.type === 'code' && m.sharedModel.getSource().includes(labText)) {
      const box = e => { const q = node.querySelector(e); if (!q) return null;
        const b = q.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
      lab = {i, slider: box('.widget-slider .noUi-handle'), canvas: box('canvas')};
    }
  }
  // the slide the active cell is on: the nearest cell at or above it that starts a slide
  let slide = nb.content.activeCellIndex;
  while (slide > 0 && ((cells[slide].model.getMetadata('slideshow') || {}).slide_type
                       !== 'slide')) slide--;
  return {mode: document.body.dataset.jpDeckMode || null, active: nb.content.activeCellIndex,
          slide, shown, lab};
}"""


def _inside(box) -> bool:
    return bool(box) and box[0] >= 0 and box[1] >= 0 and box[2] <= WIDTH and box[3] <= HEIGHT


@pytest.fixture
def presenting(monkeypatch, tmp_path):
    tb.require_browser()  # skips without Chromium (fails under CI=true)
    problems = tp.build_instructor(tmp_path / "instructor", [ROOT / "notebooks" / NOTEBOOK])
    assert not problems, problems
    monkeypatch.setenv("NNLIB_PRESENTER", "1")      # what `make present` sets; the kernel
    monkeypatch.delenv("NNLIB_USE_SHIPPED", raising=False)  # inherits the server's env
    # as `make present`: its own settings folder (the slideshow remembers being on)
    monkeypatch.setenv("JUPYTERLAB_SETTINGS_DIR", str(tmp_path / "settings"))
    with tb.lab_server(tmp_path / "lab") as (base, token, _log), tb.browser() as b:
        # the server serves the instructor copy of the notebook (read when it is opened)
        (tmp_path / "lab" / "notebooks" / NOTEBOOK).write_bytes(
            (tmp_path / "instructor" / "notebooks" / NOTEBOOK).read_bytes())
        yield b, base, token


@pytest.mark.browser
@pytest.mark.slow
def test_present_slides_from_the_keyboard_and_move_the_lab(presenting):
    b, base, token = presenting
    step = "opening the instructor copy"
    nbp = tb.NotebookPage(b, base, token, NOTEBOOK)
    page = nbp.page
    try:
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        model = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.model.cells"
                              ".length")
        assert model > 40, f"{NOTEBOOK} opened with {model} cells"
        notes = page.evaluate("() => { const m = window.jupyterapp.shell.currentWidget.content"
                              ".model.cells; let n = 0; for (let i = 0; i < m.length; i++)"
                              " if ((m.get(i).getMetadata('slideshow') || {}).slide_type"
                              " === 'notes') n++; return n; }")
        assert notes >= 5, f"the instructor copy has {notes} notes cells"
        step = "running all cells"
        nbp.run_all()
        step = "clicking the slides button in the notebook toolbar"
        page.evaluate("() => { const nb = window.jupyterapp.shell.currentWidget;"
                      " nb.content.activeCellIndex = 0; nb.content.mode = 'command'; }")
        page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="deck"]').first \
            .locator("button, jp-button").first.click(timeout=120_000)
        tb.wait_until(lambda: page.evaluate(_JS_DECK, LAB)["mode"] == "presenting",
                      "the slideshow to start (body[data-jp-deck-mode=presenting])", 120)
        page.screenshot(path=str(ARTIFACTS / "present_slide_0.png"))

        # Space walks the slideshow cell by cell: every cell of a slide is shown when the
        # slide opens, and Space moves on to the next cell, fragment, sub-slide or slide
        slides, lab_state = [], None
        for n in range(1, MAX_STEPS + 1):
            step = f"pressing Space (press {n}, slides so far {slides})"
            was = page.evaluate(_JS_DECK, LAB)["active"]
            page.keyboard.press("Space")
            state = tb.wait_until(
                lambda was=was: [s for s in [page.evaluate(_JS_DECK, LAB)]
                                 if s["active"] != was and s["shown"]],
                f"Space to move the slideshow on (press {n}, from cell {was})", 120)[0]
            assert state["mode"] == "presenting", f"press {n}: the slideshow stopped"
            bad = [c for c in state["shown"] if c["slide"] in ("notes", "skip") or c["hidden"]]
            assert not bad, f"press {n}: notes or collapsed setup cells on a slide: {bad}"
            assert state["active"] > was, f"press {n}: Space went back ({was} -> " \
                                          f"{state['active']})"
            if state["slide"] not in slides:
                slides.append(state["slide"])
                if len(slides) <= 4:
                    page.screenshot(path=str(ARTIFACTS / f"present_slide_{len(slides)}.png"))
            if state["lab"] and state["lab"]["canvas"] and state["lab"]["slider"]:
                lab_state = state
                break
        assert len(slides) >= 3, f"Space visited only the slides starting at cells {slides}"
        assert lab_state, f"no slide showed the gradient lab after {MAX_STEPS} presses"

        step = "reading the lab's slide"
        key = nbp.mark(DEPTH)
        nbp.wait_quiet(key)
        state = page.evaluate(_JS_DECK, LAB)
        page.screenshot(path=str(ARTIFACTS / "present_lab_slide.png"))
        assert _inside(state["lab"]["slider"]) and _inside(state["lab"]["canvas"]), \
            f"the lab's controls and plot are not both on the {WIDTH}x{HEIGHT} slide: {state}"

        # with the mouse, as a presenter does: on a slide the arrow keys belong to the
        # slideshow (a focused slider's arrow key also moves it on; README says so)
        step = "dragging the depth slider with the mouse"
        before = nbp.fingerprint(key)
        value = nbp.control_value(key, DEPTH)
        box = nbp._locate(key, DEPTH).bounding_box()
        x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        page.mouse.move(x, y)
        page.mouse.down()
        page.mouse.move(x + 40, y, steps=8)
        page.mouse.up()
        new_value = nbp.wait_value_changed(key, DEPTH, value)
        nbp.wait_changed(key, before, "the lab's plot to change after the slider moved")
        after = page.evaluate(_JS_DECK, LAB)
        page.screenshot(path=str(ARTIFACTS / "present_lab_moved.png"))
        assert after["mode"] == "presenting" and after["slide"] == state["slide"], \
            f"moving the slider left the slide: slide {after['slide']} vs {state['slide']}"
        assert int(new_value) > int(value), (value, new_value)

        step = "pressing Escape to stop the slides"
        page.keyboard.press("Escape")
        tb.wait_until(lambda: page.evaluate(_JS_DECK, LAB)["mode"] != "presenting",
                      "Escape to stop the slideshow", 60)
    except Exception as e:
        where = nbp.screenshot(ARTIFACTS / "browser_present.png")
        raise AssertionError(f"presenting {NOTEBOOK} failed while {step}: {e}; {where}") from e
    finally:
        nbp.close()
