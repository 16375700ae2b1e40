"""Drive the course's labs in JupyterLab inside headless Chromium (tests and benchmarks).

One table, :data:`LABS`, says for every notebook with a widget which control of which lab to
move; ``tests/widgets/test_browser_labs.py`` runs each notebook in a real browser and checks that
every widget renders and each control changes its plot, and ``benchmarks/bench_browser.py``
times control change -> visible plot change. To cover a new notebook, add one row.

What "visible plot change" means here: the time from the browser event of the change (the key
press on a slider handle, the ``change`` of a drop-down, the click of a button) to the next
animation frame after the lab's figure canvas (ipympl) was drawn again. A hook on
``CanvasRenderingContext2D.drawImage`` notes every draw into a canvas inside the lab's cell,
so nothing is polled and the clock is the page's own ``performance.now()``.

Needs the playwright package and Debian's ``/usr/bin/chromium`` (playwright's own browser
download is never used). JupyterLab runs on 127.0.0.1 with a random token, on a temporary copy
of ``notebooks/``, with the project's Jupyter configuration (``jupyter-config/``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
JUPYTER_CONFIG = ROOT / "jupyter-config"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]


@dataclass(frozen=True)
class Control:
    """One control of one lab: where it is and how to move it.

    cell: text of the code cell that shows the lab (e.g. ``"gradient_lab("``);
    label: the control's description as shown beside it;
    kind: ``"slider"`` (arrow keys on the handle, alternately right and left; left first
    when ``reverse``, for a slider that starts at its maximum), ``"dropdown"`` (the ``values``
    in turn), ``"checkbox"`` (a click, which toggles it) or ``"button"`` (a click; e.g.
    "Train");
    timing: whether the benchmark times it (a button that trains a network is not a latency);
    nth: find the control as the ``nth`` widget of its kind in the cell instead of by its
    label (controls found by :meth:`NotebookPage.controls_in`, whose labels may repeat).
    """

    cell: str
    label: str
    kind: str = "slider"
    values: tuple = ()
    timing: bool = True
    nth: int | None = None
    reverse: bool = False

    @property
    def name(self) -> str:
        return f"{self.cell.rstrip('(')} / {self.label}"


#: notebook -> the controls to move (the first one is the lab's main control)
LABS: dict[str, tuple[Control, ...]] = {
    "00_start_here.ipynb": (Control("frequency = ipywidgets.FloatSlider", "frequency"),),
    "01_neurons_and_networks.ipynb": (Control("universal_approximation_lab(", "hidden units"),),
    "04_vanishing_exploding_gradients.ipynb": (Control("chain_lab(", "every w_j"),
                                               Control("gradient_lab()", "depth")),
    "05_activations_and_initialisation.ipynb": (Control("gradient_lab(depth=50", "depth"),),
    "06_optimisers.ipynb": (Control("optimiser_race_lab(", "learning rate"),),
    "07_batchnorm_and_skip_connections.ipynb": (Control("gradient_lab(depth=30", "depth"),),
    "08_pretraining_and_explaining_away.ipynb": (Control("explaining_away_lab(", "P(Y) battery"),),
    "09_cross_correlation.ipynb": (Control("cross_correlation_lab(", "step"),),
    "10_convolution_layers.ipynb": (Control("conv_geometry_lab(", "kernel k"),),
    "12_cnn_on_mnist.ipynb": (Control("feature_maps_lab(", "channel"),
                              Control("cnn_trainer_lab(", "Train", kind="button", timing=False)),
    "13_overfitting_dropout_augmentation.ipynb": (
        Control("regularization_lab(", "Train", kind="button", timing=False),),
    "14_transfer_learning.ipynb": (Control("transfer_lab(", "labels/class"),
                                   Control("transfer_lab(", "New draw", kind="button",
                                           timing=False)),
    "15_failure_to_generalise.ipynb": (Control("adversarial_lab(", "ε"),),
}

# Installed in every page before JupyterLab loads: timestamps of user events and of draws into
# canvases inside a marked cell, on the page's own clock.
_INIT_SCRIPT = """
(() => {
  const S = window.__nnlib = {events: [], draws: []};
  for (const type of ['keydown', 'change', 'click']) {
    document.addEventListener(type, e => S.events.push({type, t: e.timeStamp}), true);
  }
  const draw = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    const out = draw.apply(this, args);
    const canvas = this.canvas;
    const cell = canvas && canvas.isConnected && canvas.closest('[data-nnlib-cell]');
    if (cell) {
      const key = cell.getAttribute('data-nnlib-cell'), t = performance.now();
      requestAnimationFrame(() => S.draws.push({key, t, painted: performance.now()}));
    }
    return out;
  };
})();
"""

# JS helpers run with page.evaluate; `nb()` is the notebook panel in the main area.
_JS_NB = "const nb = window.jupyterapp.shell.currentWidget;"

_JS_PROGRESS = "() => {" + _JS_NB + """
  if (!nb || !nb.content || !nb.content.model) return null;
  const cells = nb.content.model.cells, errors = [];
  let pending = 0, code = 0;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    code++;
    if (c.executionCount === null || c.executionState === 'running') pending++;
    for (let j = 0; j < c.outputs.length; j++) {
      const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') errors.push({cell: i, ename: o.ename, evalue: o.evalue});
    }
  }
  const kernel = nb.sessionContext.session && nb.sessionContext.session.kernel;
  return {pending, code, errors, status: kernel ? kernel.status : 'none'};
}"""

_JS_WIDGETS = "() => {" + _JS_NB + """
  // per cell: widget outputs in the notebook model vs widget views rendered in the page
  const cells = nb.content.model.cells, MIME = 'application/vnd.jupyter.widget-view+json';
  const VIEW = ':scope > .jupyter-widgets, :scope > .jupyter-matplotlib, :scope > .lm-Widget';
  let expected = 0, rendered = 0;
  const problems = [];
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type !== 'code') continue;
    let want = 0;
    for (let j = 0; j < c.outputs.length; j++) {
      if (c.outputs.get(j).data[MIME]) want++;
    }
    if (!want) continue;
    expected += want;
    const outs = Array.from(nb.content.widgets[i].node.querySelectorAll('.jp-OutputArea-output'));
    let got = 0;
    for (const o of outs) {
      const text = o.textContent || '';
      if (/Error displaying widget|Loading widget|model not found/.test(text)) {
        problems.push(`cell ${i}: ${text.trim().slice(0, 120)}`);
      } else if (o.querySelector('.jupyter-widgets, .jupyter-matplotlib')
                 && o.querySelector(VIEW)) {
        got++;
      }
    }
    rendered += Math.min(got, want);
    if (got < want) problems.push(`cell ${i}: ${got} of ${want} widgets rendered`);
  }
  return {expected, rendered, problems};
}"""

_JS_MARK = "([text, key]) => {" + _JS_NB + """
  const cells = nb.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const c = cells.get(i);
    if (c.type === 'code' && c.sharedModel.getSource().includes(text)) {
      const node = nb.content.widgets[i].node;
      node.setAttribute('data-nnlib-cell', key);
      node.scrollIntoView({block: 'center'});
      return i;
    }
  }
  return -1;
}"""

# every slider, drop-down and check box of the marked cell that is shown and enabled, in page
# order per kind
_JS_CONTROLS = """(key) => {
  const cell = document.querySelector(`[data-nnlib-cell="${key}"]`);
  if (!cell) return null;
  const label = box => (box.querySelector('.widget-label') || {}).textContent || '';
  // only what a person can use now: shown (not in a hidden tab) and not disabled
  const usable = box => box.getClientRects().length > 0 && !box.querySelector('[disabled]')
    && !box.classList.contains('mod-disabled');
  const out = [];
  cell.querySelectorAll('.widget-slider').forEach((box, nth) => {
    const h = box.querySelector('.noUi-handle');
    if (!h || !usable(box)) return;
    const now = Number(h.getAttribute('aria-valuenow'));
    const max = Number(h.getAttribute('aria-valuemax'));
    out.push({kind: 'slider', label: label(box).trim(), nth, reverse: now >= max});
  });
  cell.querySelectorAll('.widget-dropdown').forEach((box, nth) => {
    const sel = box.querySelector('select');
    if (!sel || sel.options.length < 2 || !usable(box)) return;
    const values = Array.from(sel.options).map(o => o.value), at = sel.selectedIndex;
    // the next option first, the current one last: every change is a change ("custom" in a
    // scenario menu only names what the controls hold, so choosing it changes nothing)
    const order = values.slice(at + 1).concat(values.slice(0, at + 1))
      .filter(v => v !== 'custom');
    out.push({kind: 'dropdown', label: label(box).trim(), nth, values: order});
  });
  cell.querySelectorAll('.widget-checkbox').forEach((box, nth) => {
    if (!usable(box)) return;
    const text = (box.textContent || '').trim();
    out.push({kind: 'checkbox', label: text, nth});
  });
  return out;
}"""

_JS_FINGERPRINT = """(key) => {
  const cell = document.querySelector(`[data-nnlib-cell="${key}"]`);
  if (!cell) return null;
  let h = 0;
  for (const c of cell.querySelectorAll('canvas')) {
    if (!c.width || !c.height) continue;
    const s = c.toDataURL();
    for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) | 0;
  }
  return h;
}"""

# Notes, on the page's clock, every change painted in the marked cell's outputs other than in a
# button (a progress bar, a read-out's text, a table): the first answer to a click on a button.
_JS_WATCH = """(key) => {
  const S = window.__nnlib;
  const out = document.querySelector(`[data-nnlib-cell="${key}"] .jp-Cell-outputWrapper`);
  if (!out) return false;
  if (S.watcher) S.watcher.disconnect();
  S.changes = [];
  S.watcher = new MutationObserver(list => {
    const t = performance.now();
    const shown = list.some(m => {
      const el = m.target.nodeType === 1 ? m.target : m.target.parentElement;
      return el && !el.closest('button');
    });
    if (shown) requestAnimationFrame(() => S.changes.push({t, painted: performance.now()}));
  });
  S.watcher.observe(out, {subtree: true, childList: true, characterData: true, attributes: true});
  return true;
}"""


INSTALL_HINT = "sudo apt-get install chromium"


def chromium_path() -> str:
    """Debian's Chromium, or the binary ``NNLIB_CHROMIUM`` names (tests of the skip/fail
    behaviour point it at a missing file)."""
    return os.environ.get("NNLIB_CHROMIUM", CHROMIUM)


def in_ci() -> bool:
    """True when the ``CI`` environment variable says so (``true``/``1``/``yes``)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def chromium_missing() -> str | None:
    """Why the browser cannot run here (``None`` if it can), and how to fix it."""
    path = chromium_path()
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        return (f"the browser tests need Chromium at {path}, which is missing: install it with "
                f"`{INSTALL_HINT}` (Debian/Ubuntu)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("the browser tests need the playwright package: "
                "`.venv/bin/pip install -r requirements-dev.txt`")
    return None


def require_browser() -> str:
    """For tests: the Chromium path, or skip saying what is missing and how to get it; under
    CI (``CI=true``, as ``.ci/run`` sets) fail instead, since CI must run the browser tests."""
    import pytest

    why = chromium_missing()
    if why:
        if in_ci():
            pytest.fail(f"{why} (CI=true: the browser tests must run; .ci/run installs Chromium)",
                        pytrace=False)
        pytest.skip(why)
    return chromium_path()


def jupyter_env(env: dict | None = None) -> dict:
    """``env`` with the project's Jupyter configuration first on ``JUPYTER_CONFIG_PATH``."""
    env = dict(os.environ if env is None else env)
    rest = env.get("JUPYTER_CONFIG_PATH")
    env["JUPYTER_CONFIG_PATH"] = str(JUPYTER_CONFIG) + (os.pathsep + rest if rest else "")
    env.pop("MPLBACKEND", None)  # the tests' Agg must not leak into the kernels
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def lab_server(workdir: str | os.PathLike | None = None, *, timeout: float = 120.0):
    """JupyterLab on a temporary copy of notebooks/; yields ``(base_url, token, log_path)``."""
    with tempfile.TemporaryDirectory(prefix="nnlib-lab-") as tmp:
        tmp = Path(workdir or tmp)
        root = tmp / "notebooks"
        shutil.copytree(ROOT / "notebooks", root,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints"), dirs_exist_ok=True)
        port, token = _free_port(), os.urandom(16).hex()
        jupyter = Path(sys.executable).parent / "jupyter"
        cmd = [str(jupyter), "lab", "--ip=127.0.0.1", f"--port={port}", "--no-browser",
               f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
               "--LabApp.expose_app_in_browser=True", f"--LabApp.workspaces_dir={tmp / 'ws'}",
               "--ServerApp.port_retries=0"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        env = jupyter_env()
        env["JUPYTER_RUNTIME_DIR"] = str(tmp / "runtime")
        log = tmp / "jupyter.log"
        # the tests' Agg backend must not reach the kernels by any route (it did for one lab:
        # its ipympl canvas stayed 0x0), so it is out of this process's environment too
        saved_backend = os.environ.pop("MPLBACKEND", None)
        with open(log, "w") as out:
            proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                                    cwd=str(ROOT), start_new_session=True)
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_for_server(f"{base}/api/status?token={token}", proc, log, timeout)
            yield base, token, log
        finally:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=5)
            if saved_backend is not None:
                os.environ["MPLBACKEND"] = saved_backend


def _wait_for_server(url: str, proc: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"jupyter lab did not answer {url} within {timeout} s:\n{log.read_text()}")


@contextmanager
def browser():
    """A headless Debian Chromium driven by playwright; yields the playwright Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class WaitTimeout(AssertionError):
    """A wait in a browser test ran out; the message says which wait and after how long."""


def wait_until(probe, what: str, timeout: float, *, interval: float = 0.1):
    """Call ``probe()`` until it returns something truthy other than a dict and return that;
    a dict is a progress report, shown in the error. Raise :class:`WaitTimeout` saying ``what``
    was awaited if ``timeout`` seconds pass first. Waits are on events, never fixed delays."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        last = probe()
        if last and not isinstance(last, dict):
            return last
        if time.monotonic() > deadline:
            raise WaitTimeout(f"the wait for {what} ran out after {timeout:.0f} s"
                              + (f" (last: {last})" if last else ""))
        time.sleep(interval)


_JS_KERNEL_IDLE = """() => { const app = window.jupyterapp; if (!app) return {app: false};
  const w = app.shell.currentWidget; const ctx = w && w.sessionContext;
  const k = ctx && ctx.session && ctx.session.kernel;
  if (!k) return {kernel: 'none'};
  return ctx.isReady && k.status === 'idle' ? true : {kernel: k.status}; }"""


def wait_kernel_idle(page, notebook: str, timeout: float = 300.0) -> None:
    """Wait until the notebook in JupyterLab's main area has a started, idle kernel. Asked of
    JupyterLab's own objects, not of the status bar's text, which slides may hide."""
    wait_until(lambda: page.evaluate(_JS_KERNEL_IDLE),
               f"{notebook}'s kernel to start and be idle", timeout, interval=0.5)


class NotebookPage:
    """One notebook open in JupyterLab in its own page (and kernel)."""

    def __init__(self, browser_, base: str, token: str, notebook: str):
        self.notebook = notebook
        self.page = browser_.new_page(viewport={"width": 1500, "height": 1100})
        self.page.add_init_script(_INIT_SCRIPT)
        self.page.goto(f"{base}/lab/tree/{notebook}?token={token}&reset", timeout=300_000)
        self.wait_kernel_ready(timeout=300)

    def wait_kernel_ready(self, timeout: float = 300.0) -> None:
        wait_kernel_idle(self.page, self.notebook, timeout)

    def close(self) -> None:
        try:  # shut the kernel down with the page, so notebooks do not pile up in memory
            self.page.evaluate("() => {" + _JS_NB + " return nb.sessionContext.shutdown(); }")
        except Exception:  # noqa: BLE001 - closing must not hide the real failure
            pass
        self.page.close()

    def progress(self) -> dict | None:
        return self.page.evaluate(_JS_PROGRESS)

    def run_all(self, timeout: float = 900.0) -> dict:
        """Run every cell and wait until all have run; raise at the first error output."""
        self.page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
        deadline = time.monotonic() + timeout
        state = None
        time.sleep(1.0)
        while time.monotonic() < deadline:
            state = self.progress()
            if state and state["errors"]:
                e = state["errors"][0]
                raise AssertionError(f"{self.notebook}: cell {e['cell']} raised "
                                     f"{e['ename']}: {e['evalue']}")
            if state and state["pending"] == 0 and state["status"] == "idle":
                return state
            time.sleep(0.5)
        raise WaitTimeout(f"{self.notebook}: the wait for Run All to finish (every code cell "
                          f"run, kernel idle) ran out after {timeout:.0f} s; last state: {state}")

    def widgets(self, timeout: float = 180.0) -> dict:
        """Widget outputs expected (from the notebook model) and rendered (in the page); waits
        up to ``timeout`` s for every widget to render, then returns the state as it is (the
        caller asserts on it)."""
        deadline = time.monotonic() + timeout
        while True:
            state = self.page.evaluate(_JS_WIDGETS)
            if not state["problems"]:
                return state
            if time.monotonic() > deadline:
                state["problems"].insert(0, f"the wait for every widget to render ran out "
                                            f"after {timeout:.0f} s")
                return state
            time.sleep(0.5)

    def text(self) -> str:
        return self.page.evaluate("() => document.body.innerText")

    # --- one control -------------------------------------------------------------------------

    def mark(self, control: Control) -> str:
        key = f"c{abs(hash(control.cell)) % 10**8}"
        index = self.page.evaluate(_JS_MARK, [control.cell, key])
        if index < 0:
            raise AssertionError(f"{self.notebook}: no code cell contains {control.cell!r}")
        self.marked[key] = control.cell
        return key

    @property
    def marked(self) -> dict[str, str]:
        """The cells :meth:`mark` marked: key -> the text that found the cell (made on first
        use, so subclasses with their own ``__init__`` have it too)."""
        return self.__dict__.setdefault("_marked", {})

    def controls_in(self, key: str) -> list[Control]:
        """Every slider, drop-down and check box in the cell marked ``key`` (see :meth:`mark`),
        as Controls found by position (``nth``)."""
        found = self.page.evaluate(_JS_CONTROLS, key)
        if found is None:
            raise AssertionError(f"{self.notebook}: no cell is marked {key!r}")
        return [Control(self.marked[key], f["label"] or f"{f['kind']} {f['nth']}",
                        kind=f["kind"], values=tuple(f.get("values", ())), nth=f["nth"],
                        reverse=bool(f.get("reverse"))) for f in found]

    def _box(self, key: str, control: Control):
        """The control's widget box in the marked cell."""
        cell = self.page.locator(f'[data-nnlib-cell="{key}"]')
        widget = {"slider": ".widget-slider", "dropdown": ".widget-dropdown",
                  "checkbox": ".widget-checkbox"}[control.kind]
        if control.nth is not None:
            return cell.locator(widget).nth(control.nth)
        return cell.locator(widget).filter(
            has=self.page.locator(".widget-label", has_text=control.label)).first

    def _locate(self, key: str, control: Control):
        if control.kind == "button":
            cell = self.page.locator(f'[data-nnlib-cell="{key}"]')
            return cell.locator("button", has_text=control.label).first
        inner = {"slider": ".noUi-handle", "dropdown": "select", "checkbox": "input"}
        return self._box(key, control).locator(inner[control.kind]).first

    def fingerprint(self, key: str):
        return self.page.evaluate(_JS_FINGERPRINT, key)

    def wait_quiet(self, key: str, quiet_ms: float = 400.0, timeout: float = 300.0) -> None:
        """Wait until the kernel is idle and the lab has not drawn for ``quiet_ms``; raise
        :class:`WaitTimeout` naming this wait if that does not happen within ``timeout`` s."""
        wait_until(lambda: self.page.evaluate(
            "([key, quiet]) => { const d = window.__nnlib.draws.filter(x => x.key === key);"
            " const last = d.length ? d[d.length - 1].painted : -1e9;"
            " const k = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;"
            " const idle = k.status === 'idle', since = performance.now() - last;"
            " return idle && since >= quiet ? true : {idle, since}; }", [key, quiet_ms]),
            f"the kernel to be idle and {key}'s canvas not to redraw for {quiet_ms:.0f} ms",
            timeout)

    def wait_changed(self, key: str, before, what: str, timeout: float = 300.0):
        """Wait until the lab's canvas pixels differ from ``before`` (a :meth:`fingerprint`)
        and the kernel is idle; return the new fingerprint. Under load the first draw after a
        change can still be the old picture (ipympl redraws on resize and on focus too), so this
        waits on the pixels themselves, with a generous bound."""
        def changed():
            now = self.fingerprint(key)
            return now if now is not None and now != before and self.kernel_idle() else None
        return wait_until(changed, what, timeout, interval=0.25)

    def kernel_idle(self) -> bool:
        return self.page.evaluate(
            "() => { const w = window.jupyterapp.shell.currentWidget;"
            " const k = w && w.sessionContext.session && w.sessionContext.session.kernel;"
            " return !!k && k.status === 'idle'; }")

    def wait_value_changed(self, key: str, control: Control, before, timeout: float = 120.0):
        """Wait until ``control`` shows something other than ``before`` (its widget model took
        the change); return the new value."""
        return wait_until(lambda: (v := self.control_value(key, control)) != before and v,
                          f"{control.name} to show a new value (was {before!r})", timeout)

    def control_value(self, key: str, control: Control) -> str | None:
        """What the control shows now: a slider's read-out, a drop-down's choice; ``None`` for
        a button."""
        target = self._locate(key, control)
        if control.kind == "slider":
            return self._box(key, control).locator(".widget-readout").first.evaluate(
                "e => e.value !== undefined && e.tagName === 'INPUT' ? e.value : e.textContent")
        if control.kind == "dropdown":
            return target.input_value()
        if control.kind == "checkbox":
            return str(target.is_checked())
        return None

    def change(self, key: str, control: Control, step: int, *, timeout: float = 30.0) -> float:
        """Move ``control`` once; return ms from the browser event to the painted redraw."""
        target = self._locate(key, control)
        target.scroll_into_view_if_needed()
        self.page.evaluate("() => { window.__nnlib.events = []; }")
        if control.kind == "slider":
            target.focus()
            target.press("ArrowRight" if (step % 2 == 0) != control.reverse else "ArrowLeft")
            kinds = ("keydown",)
        elif control.kind == "dropdown":
            target.select_option(str(control.values[step % len(control.values)]))
            kinds = ("change",)
        elif control.kind == "checkbox":
            target.click()
            kinds = ("click", "change")
        else:
            target.click()
            kinds = ("click",)
        return self._ms_after(kinds, "draws", key, timeout,
                              f"{control.name}'s plot to be redrawn after the {kinds[0]}")

    def _ms_after(self, kinds, records: str, key: str, timeout: float, what: str) -> float:
        """ms from the first browser event of ``kinds`` to the paint of the first entry of
        ``window.__nnlib[records]`` noted after it (``"draws"``: the cell ``key``'s canvas;
        ``"changes"``: what :data:`_JS_WATCH` notes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = self.page.evaluate(
                "([key, kinds, records]) => { const S = window.__nnlib;"
                " const e = S.events.filter(x => kinds.includes(x.type));"
                " if (!e.length) return null; const t0 = e[0].t;"
                " const d = (S[records] || []).find("
                "   x => (x.key === undefined || x.key === key) && x.t >= t0);"
                " return d ? d.painted - t0 : null; }", [key, list(kinds), records])
            if got is not None:
                return float(got)
            time.sleep(0.02)
        raise WaitTimeout(f"{self.notebook}: the wait for {what} ran out after {timeout:.0f} s")

    def answer(self, key: str, control: Control, *, timeout: float = 30.0) -> float:
        """Click the button ``control``; return ms from the click to the first change painted
        in the cell's outputs outside the button (a progress bar reset, a read-out saying what
        started): how long a click that starts training waits for a visible answer."""
        if control.kind != "button":
            raise ValueError(f"answer() times buttons; {control.name} is a {control.kind}")
        target = self._locate(key, control)
        target.scroll_into_view_if_needed()
        if not self.page.evaluate(_JS_WATCH, key):
            raise AssertionError(f"{self.notebook}: the cell marked {key!r} has no outputs")
        self.page.evaluate("() => { window.__nnlib.events = []; }")
        target.click()
        try:
            return self._ms_after(("click",), "changes", key, timeout,
                                  f"an answer to {control.name}'s click")
        finally:
            self.page.evaluate("() => { const S = window.__nnlib;"
                               " if (S.watcher) S.watcher.disconnect(); S.watcher = null; }")

    def screenshot(self, path: Path) -> str:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.page.screenshot(path=str(path), full_page=True)
            return f"screenshot saved to {path}"
        except Exception as e:  # noqa: BLE001 - report, do not mask the failure
            return f"screenshot failed too ({e})"


NEWS_PROMPT = "official Jupyter news"


def move_each_control(nbp: NotebookPage) -> None:
    """After Run All: the news prompt is not shown, and each control :data:`LABS` lists for
    the notebook, moved once, shows a new value and changes its lab's plot (canvas pixels).
    Every wait is on that event, with bounds of minutes; a wait that runs out says which."""
    assert NEWS_PROMPT not in nbp.text(), "the news notification popped up"
    for control in LABS.get(nbp.notebook, ()):
        try:
            key = nbp.mark(control)
            nbp.wait_quiet(key)
            before, value = nbp.fingerprint(key), nbp.control_value(key, control)
            nbp.change(key, control, 0, timeout=300)
            if control.kind != "button":
                nbp.wait_value_changed(key, control, value)
            nbp.wait_changed(key, before, f"{control.name}'s plot to change", timeout=300)
        except AssertionError as e:
            raise AssertionError(f"{nbp.notebook}: failed while moving {control.name}: {e}") \
                from e
