"""Measure how a notebook's figures and labs fit the screen, in JupyterLab inside Chromium.

Used by ``tests/widgets/test_browser_layout.py`` (issue 19). Two screens:

- **laptop**: a 1366x768 window with JupyterLab's file browser open;
- **presenter**: a 1280x720 window, side panels hidden, JupyterLab's Presentation Mode, the
  kernel switched to presenter mode (``nnlib.plotting.style.presenter(True)``, which redraws the
  open figures larger) and the controls enlarged by the same CSS a presenter-mode lab carries.

One Run All serves both screens: the notebook runs once at laptop size, is measured, then the
same page and kernel switch to presenter mode and are measured again.

:func:`measure` reports, for every output of every code cell: elements that overflow sideways
(``scrollWidth > clientWidth``: an output, a widget box, a figure), control labels and read-outs
cut short, and each lab's height against the height of the notebook's visible area.
:func:`stray_reprs` finds outputs that print an object's repr instead of something for a reader.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from tools.browser import _INIT_SCRIPT, NotebookPage, WaitTimeout

LAPTOP = {"width": 1366, "height": 768}
PRESENTER = {"width": 1280, "height": 720}

_JS_NB = "const nb = window.jupyterapp && window.jupyterapp.shell.currentWidget;"

_JS_KERNEL_READY = "() => {" + _JS_NB + """
  if (!nb || !nb.sessionContext || !nb.content || !nb.content.model) return false;
  const k = nb.sessionContext.session && nb.sessionContext.session.kernel;
  return !!k && k.status === 'idle' && nb.context.isReady;
}"""

# After Run All: every code cell has run (an execution count) and the kernel is idle, or a cell
# shows an error (then stop waiting and say which).
_JS_RUN_DONE = "() => {" + _JS_NB + """
  const cells = nb.content.model.cells;
  let pending = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') return {error: `cell ${i}: ${o.ename}: ${o.evalue}`};
    }
    if (c.executionCount === null || c.executionState === 'running') pending++;
  }
  const k = nb.sessionContext.session.kernel;
  return pending === 0 && k.status === 'idle' ? {pending} : false;
}"""

# Every widget output rendered (none left at "Loading widget...") and every ipympl canvas has a
# size and has been drawn into at least once (the init script counts draws per canvas).
_JS_RENDERED = "() => {" + _JS_NB + """
  const root = nb.content.node;
  for (const o of root.querySelectorAll('.jp-OutputArea-output')) {
    if (/Loading widget|Error displaying widget|model not found/.test(o.textContent || '')) {
      return false;
    }
  }
  for (const c of root.querySelectorAll('.jupyter-matplotlib-canvas-div canvas:first-child')) {
    if (!c.width || !c.height || !(c.__nnlibDrawn > 0)) return false;
  }
  return true;
}"""

_JS_DRAWN_HOOK = """
(() => {
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const out = draw.apply(this, args);
    if (this.canvas) {
      this.canvas.__nnlibDrawn = (this.canvas.__nnlibDrawn || 0) + 1;
      this.canvas.__nnlibLast = performance.now();
    }
    return out;
  };
})();
"""

_JS_EXECUTE = "async (code) => {" + _JS_NB + """
  const k = nb.sessionContext.session.kernel;
  let text = '';
  const future = k.requestExecute({code, store_history: false});
  future.onIOPub = msg => {
    if (msg.header.msg_type === 'stream') text += msg.content.text;
    if (msg.header.msg_type === 'error') text += 'ERROR ' + msg.content.evalue;
  };
  await future.done;
  return text;
}"""

_JS_FRAMES = """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(
  () => r(true))))"""

# The measurement itself. Per code cell with outputs:
# - overflow: the output node and every widget box / figure / HTML output inside it whose
#   content is wider than the box (scrollWidth > clientWidth + 1), and whether the notebook
#   itself scrolls sideways;
# - cut: control labels, slider read-outs and buttons whose text is wider than its box;
# - labs: a widget box at the top of an output, its height against the visible notebook area.
_JS_MEASURE = "() => {" + _JS_NB + """
  const nbNode = nb.content.node, cells = nb.content.widgets;
  const scroller = nbNode.closest('.jp-WindowedPanel-outer') || nbNode;
  const visible = scroller.clientHeight;
  const BOXES = '.jp-OutputArea-output, .widget-box, .widget-tab, .widget-accordion,'
    + ' .jupyter-matplotlib, .widget-html-content, .widget-output,'
    + ' .jp-RenderedHTMLCommon table, .jp-RenderedImage';
  const LABELS = '.widget-label, .widget-readout, .widget-label-basic, .widget-button,'
    + ' .widget-toggle-button, .lm-TabBar-tabLabel, .jupyter-widget-Collapse-header';
  const out = {column: null, visible,
               notebookScrolls: scroller.scrollWidth > scroller.clientWidth + 1,
               overflow: [], cut: [], labs: [], figures: []};
  const name = el => (typeof el.className === 'string' && el.className
    ? el.className.split(/\\s+/).filter(c => c).slice(0, 3).join('.') : el.tagName);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (!cell.model || cell.model.type !== 'code') continue;
    const src = cell.model.sharedModel.getSource().split('\\n')[0].slice(0, 60);
    for (const o of cell.node.querySelectorAll('.jp-OutputArea-output')) {
      if (out.column === null && o.clientWidth) out.column = o.clientWidth;
      for (const el of [o, ...o.querySelectorAll(BOXES)]) {
        if (!el.clientWidth || el.offsetParent === null) continue;
        const extra = el.scrollWidth - el.clientWidth;
        if (extra > 1) out.overflow.push({cell: i, src, el: name(el), extra,
                                          width: el.clientWidth});
      }
      for (const el of o.querySelectorAll(LABELS)) {
        if (!el.clientWidth || el.offsetParent === null) continue;
        const extra = el.scrollWidth - el.clientWidth;
        if (extra > 1) out.cut.push({cell: i, src, el: name(el),
                                     text: (el.textContent || '').trim().slice(0, 40), extra});
      }
      for (const fig of o.querySelectorAll('.jupyter-matplotlib-canvas-div')) {
        out.figures.push({cell: i, src, width: fig.clientWidth, column: o.clientWidth});
      }
      const lab = o.querySelector(':scope > .widget-box, :scope > .jupyter-widgets.widget-box');
      if (lab && lab.querySelector('.widget-slider, .widget-dropdown, .widget-button,'
                                   + ' .widget-select-multiple, .widget-checkbox')) {
        out.labs.push({cell: i, src, height: lab.getBoundingClientRect().height, visible});
      }
    }
  }
  return out;
}"""


@dataclass
class Screen:
    name: str
    viewport: dict


class LayoutPage(NotebookPage):
    """One notebook open in JupyterLab (own page and kernel), driven for layout checks; it can
    move a lab's controls like :class:`tools.browser.NotebookPage` (same page hooks)."""

    def __init__(self, browser_, base: str, token: str, notebook: str, *, timeout: float = 600):
        self.notebook = notebook
        self.page = browser_.new_page(viewport=dict(LAPTOP))
        self.page.add_init_script(_INIT_SCRIPT)
        self.page.add_init_script(_JS_DRAWN_HOOK)
        self.page.goto(f"{base}/lab/tree/{notebook}?token={token}&reset",
                       timeout=timeout * 1000)
        self._wait(_JS_KERNEL_READY, "the kernel to start", timeout)

    def _wait(self, js: str, what: str, timeout: float, arg=None):
        try:
            handle = self.page.wait_for_function(js, arg=arg, timeout=timeout * 1000,
                                                 polling=250)
        except Exception as e:  # noqa: BLE001 - say which wait ran out
            raise WaitTimeout(f"{self.notebook}: the wait for {what} ran out after "
                              f"{timeout:.0f} s") from e
        return handle.json_value()

    def close(self) -> None:
        try:
            self.page.evaluate("() => {" + _JS_NB + " return nb.sessionContext.shutdown(); }")
        except Exception:  # noqa: BLE001 - closing must not hide the real failure
            pass
        self.page.close()

    # --- screens -------------------------------------------------------------------------------
    def laptop(self) -> None:
        """1366x768 with the file browser open in the left panel."""
        self.page.set_viewport_size(dict(LAPTOP))
        self.page.evaluate("() => window.jupyterapp.shell.activateById('filebrowser')")
        self.page.evaluate(_JS_FRAMES)

    def presenter(self, css: str, timeout: float = 300) -> str:
        """1280x720, side panels hidden, Presentation Mode; the kernel in presenter mode (open
        figures redrawn larger) and the lab controls enlarged by ``css``."""
        page = self.page
        page.set_viewport_size(dict(PRESENTER))
        page.evaluate("() => { const s = window.jupyterapp.shell; s.collapseLeft();"
                      " s.collapseRight(); }")
        page.evaluate("() => { const a = window.jupyterapp;"
                      " if (!a.shell.presentationMode) return a.commands.execute("
                      "'application:toggle-presentation-mode'); }")
        page.evaluate("(css) => { const d = document.createElement('div');"
                      " d.id = 'nnlib-presenter-css'; d.innerHTML = css;"
                      " document.body.appendChild(d); }", css)
        mark = page.evaluate("() => performance.now()")
        text = page.evaluate(_JS_EXECUTE, "from nnlib.plotting import style as _nnlib_style\n"
                                          "_nnlib_style.presenter(True)\n"
                                          "print(_nnlib_style.refit_open_figures())")
        refitted = int(text.strip().splitlines()[-1]) if text.strip() else 0
        # every refitted figure has been drawn again at its new size (the kernel renders it
        # after the front end has resized its canvas)
        self._wait("([mark, n]) => { let k = 0; for (const c of document.querySelectorAll("
                   "'.jupyter-matplotlib-canvas-div canvas:first-child'))"
                   " if (c.__nnlibLast > mark) k++; return k >= n; }",
                   f"{refitted} figures to be redrawn in presenter mode", timeout,
                   arg=[mark, refitted])
        self.settle(timeout)
        return text

    # --- waits ---------------------------------------------------------------------------------
    def run_all(self, timeout: float = 1800) -> None:
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        # the run starts asynchronously: wait until the first code cell is queued or has run
        self._wait("() => {" + _JS_NB + " const c = nb.content.model.cells;"
                   " for (let i = 0; i < c.length; i++) { const x = c.get(i);"
                   " if (x.type === 'code') return x.executionState === 'running'"
                   " || x.executionCount !== null; } return true; }",
                   "Run All to start", 120)
        state = self._wait(_JS_RUN_DONE, "Run All to finish", timeout)
        if state.get("error"):
            raise AssertionError(f"{self.notebook}: {state['error']}")
        self.settle()

    def settle(self, timeout: float = 300) -> None:
        """Kernel idle, every widget rendered, every figure canvas drawn, then two frames."""
        self._wait(_JS_KERNEL_READY, "the kernel to be idle", timeout)
        self._wait(_JS_RENDERED, "every widget and figure to render", timeout)
        self.page.evaluate(_JS_FRAMES)

    # --- read-outs -----------------------------------------------------------------------------
    def measure(self) -> dict:
        return self.page.evaluate(_JS_MEASURE)

    def outputs(self) -> list[dict]:
        """Every code cell's outputs as nbformat JSON (for :func:`stray_reprs`)."""
        return self.page.evaluate("() => {" + _JS_NB + " const c = nb.content.model.cells,"
                                  " r = []; for (let i = 0; i < c.length; i++) {"
                                  " const x = c.get(i); if (x.type !== 'code') continue;"
                                  " const o = []; for (let j = 0; j < x.outputs.length; j++)"
                                  " o.push(x.outputs.get(j).toJSON());"
                                  " r.push({cell: i, source: x.sharedModel.getSource(),"
                                  " outputs: o}); } return r; }")

    def screenshots(self, folder, stem: str) -> list:
        """The window as a reader sees it with each figure or lab scrolled to the top (the
        notebook scrolls inside the page, so one full-page picture would show one screen)."""
        folder.mkdir(parents=True, exist_ok=True)
        cells = self.page.evaluate("() => {" + _JS_NB + " const out = [];"
                                   " nb.content.widgets.forEach((c, i) => {"
                                   " if (c.node.querySelector('.jupyter-matplotlib,"
                                   " .widget-box')) out.push(i); }); return out; }")
        paths = []
        canvases = ("(i) => Array.from(window.jupyterapp.shell.currentWidget.content.widgets[i]"
                    ".node.querySelectorAll('.jupyter-matplotlib-canvas-div canvas:first-child'))")
        for i in cells:
            mark = self.page.evaluate("() => performance.now()")
            self.page.evaluate("(i) => {" + _JS_NB + " const c = nb.content.widgets[i];"
                               " const o = c.node.querySelector('.jp-Cell-outputWrapper')"
                               " || c.node; o.scrollIntoView({block: 'start'}); }", i)
            try:  # a figure scrolled back into view may be repainted by the kernel: give
                # it a moment to start (no repaint needed is fine too) ...
                self.page.wait_for_function(
                    "([i, mark]) => (" + canvases + ")(i).some(c => c.__nnlibLast > mark)",
                    arg=[i, mark], timeout=3_000, polling=100)
            except Exception:  # noqa: BLE001 - nothing was repainted
                pass
            try:  # ... then wait until the kernel is idle and each canvas has been drawn and
                # left alone for 300 ms
                self.page.wait_for_function(
                    "(i) => {" + _JS_NB + " const k = nb.sessionContext.session.kernel;"
                    " if (!k || k.status !== 'idle') return false;"
                    " return Array.from(nb.content.widgets[i].node"
                    ".querySelectorAll('.jupyter-matplotlib-canvas-div canvas:first-child'))"
                    ".every(c => c.width > 0 && c.__nnlibDrawn > 0"
                    " && performance.now() - c.__nnlibLast > 300); }",
                    arg=i, timeout=60_000, polling=250)
            except Exception:  # noqa: BLE001 - a picture, not a check: take it anyway
                pass
            self.page.evaluate(_JS_FRAMES)
            path = folder / f"{stem}-cell{i:02d}.png"
            self.page.screenshot(path=str(path))
            paths.append(path)
        return paths


# --- stray reprs ---------------------------------------------------------------------------------

#: Text that means an object's repr reached the reader instead of a result written for them.
STRAY_REPR = [
    (re.compile(r"<matplotlib\.[\w.]+ (object )?at 0x[0-9a-f]+>"), "a matplotlib object's repr"),
    (re.compile(r"<Figure size \d+x\d+ with \d+ Axes>"), "a Figure repr"),
    (re.compile(r"<[\w.]+ (object )?at 0x[0-9a-f]+>"), "an object's repr"),
    (re.compile(r"\A\s*(array|tensor)\("), "a bare array without a label"),
    (re.compile(r"\A\s*\[\[\["), "a bare 3-D array without a label"),
]


def stray_reprs(cells: list[dict]) -> list[str]:
    """``cells``: [{cell, source, outputs}] (nbformat outputs). Returns one line per output
    that shows a repr or an unlabelled array (text/plain of an execute_result, or a stream)."""
    found = []
    for c in cells:
        for o in c["outputs"]:
            if o.get("output_type") == "stream":
                text = o.get("text", "")
            elif o.get("output_type") in ("execute_result", "display_data"):
                data = o.get("data", {})
                if any(k != "text/plain" for k in data):
                    continue  # a rich output (figure, widget, HTML) is shown instead
                text = data.get("text/plain", "")
            else:
                continue
            text = "".join(text) if isinstance(text, list) else text
            for pattern, what in STRAY_REPR:
                m = pattern.search(text)
                if m:
                    first = c["source"].strip().splitlines()[0][:60] if c["source"].strip() else ""
                    found.append(f"cell {c['cell']} ({first!r}): {what}: {m.group(0)[:60]!r}")
                    break
    return found


def check_notebook(browser_, base: str, token: str, notebook: str, artifacts=None, *,
                   between=None) -> dict:
    """Run ``notebook`` once and measure it on both screens. Returns {"laptop": measure(),
    "presenter": measure(), "stray": [...], "seconds": {...}}; screenshots of both screens go
    to ``artifacts`` (a folder) when given. ``between(page)``, if given, runs after both
    measurements, on the same page and kernel (the browser test moves each lab's controls there,
    so a notebook runs once in the browser; the screens are measured as Run All leaves them)."""
    from nnlib.widgets._presenter import widget_css

    t0 = time.monotonic()
    page = LayoutPage(browser_, base, token, notebook)
    stem = notebook.removesuffix(".ipynb")
    try:
        page.laptop()
        t1 = time.monotonic()
        page.run_all()
        t2 = time.monotonic()
        page.laptop()
        result = {"laptop": page.measure(), "stray": stray_reprs(page.outputs())}
        if artifacts is not None:
            page.screenshots(artifacts, f"{stem}-laptop-1366x768")
        page.presenter(widget_css(1.5))
        result["presenter"] = page.measure()
        if artifacts is not None:
            page.screenshots(artifacts, f"{stem}-presenter-1280x720")
        if between is not None:
            t3 = time.monotonic()
            page.laptop()   # back to the laptop window (presenter CSS and figures stay)
            between(page)
            result["between_seconds"] = time.monotonic() - t3
        result["seconds"] = {"open": t1 - t0, "run_all": t2 - t1,
                             "measure": time.monotonic() - t2}
        return result
    except Exception as e:
        if artifacts is None:
            raise
        where = page.screenshot(artifacts / f"{stem}-failure.png")
        raise AssertionError(f"{notebook}: {e}; {where}") from e
    finally:
        page.close()


def problems(result: dict) -> list[str]:
    """What a reader would see go wrong, one line each (empty: everything fits)."""
    found = []
    for screen in ("laptop", "presenter"):
        m = result.get(screen)
        if not m:
            continue
        if m["notebookScrolls"]:
            found.append(f"{screen}: the notebook scrolls sideways")
        for o in m["overflow"]:
            found.append(f"{screen}: cell {o['cell']} ({o['src']!r}): {o['el']} is {o['extra']}"
                         f" px wider than its {o['width']} px box")
        for c in m["cut"]:
            found.append(f"{screen}: cell {c['cell']} ({c['src']!r}): {c['el']} "
                         f"{c['text']!r} is cut by {c['extra']} px")
        if screen == "presenter":
            for lab in m["labs"]:
                if lab["height"] > lab["visible"] + 1:
                    found.append(f"presenter: cell {lab['cell']} ({lab['src']!r}): the lab is "
                                 f"{lab['height']:.0f} px tall; the notebook shows "
                                 f"{lab['visible']} px")
    found += [f"stray output: {s}" for s in result.get("stray", [])]
    return found
