"""Transfer learning plumbing (tasks, k labels per class, freezing, checkpoints) and the
failure-to-generalise helpers (planted cue, rotation curve), on tiny synthetic data."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from nnlib import augment  # noqa: E402
from nnlib.torchkit import generalise, transfer  # noqa: E402


def _images(rng, n):
    return torch.from_numpy(rng.normal(size=(n, 1, 28, 28)).astype(np.float32))


def test_digit_task_keeps_only_those_digits_and_relabels_them_by_position():
    x = torch.arange(10, dtype=torch.float32).view(10, 1, 1, 1).expand(10, 1, 2, 2)
    y = torch.tensor([5, 0, 9, 7, 5, 1, 6, 8, 2, 9])
    xs, ys = transfer.digit_task(x, y, transfer.TARGET_DIGITS)
    assert ys.tolist() == [0, 4, 2, 0, 1, 3, 4]
    assert xs[:, 0, 0, 0].tolist() == [0, 2, 3, 4, 6, 7, 9]
    with pytest.raises(ValueError, match="digits"):
        transfer.digit_task(x, y, (1, 1))


def test_k_per_class_draws_k_distinct_examples_of_every_class():
    y = np.repeat(np.arange(5), 30)
    idx = transfer.k_per_class(y, 7, rng=np.random.default_rng(0))
    assert len(idx) == len(set(idx.tolist())) == 35
    assert np.bincount(y[idx]).tolist() == [7] * 5
    other = transfer.k_per_class(y, 7, rng=np.random.default_rng(1))
    assert not np.array_equal(idx, other)
    with pytest.raises(ValueError, match="k"):
        transfer.k_per_class(y, 31, rng=0)


def test_freeze_fixes_the_first_layers_only():
    model = transfer.transfer_cnn()
    assert transfer.weight_layers(model) == ["conv1", "conv2", "fc1", "out"]
    assert transfer.freeze(model, 2) == ["conv1", "conv2"]
    learns = {n: all(p.requires_grad for p in getattr(model, n).parameters())
              for n in transfer.weight_layers(model)}
    assert learns == {"conv1": False, "conv2": False, "fc1": True, "out": True}
    with pytest.raises(ValueError, match="freeze_depth"):
        transfer.freeze(model, 4)


def test_transfer_model_copies_the_features_and_starts_a_new_head():
    torch.manual_seed(0)
    pre = transfer.transfer_cnn()
    tuned = transfer.transfer_model("finetune", pre, seed=3)
    frozen = transfer.transfer_model("frozen", pre, seed=3)
    scratch = transfer.transfer_model("scratch", pre, seed=3)
    for name in ("conv1", "conv2", "fc1"):
        torch.testing.assert_close(getattr(tuned, name).weight, getattr(pre, name).weight)
        assert not torch.equal(getattr(scratch, name).weight, getattr(pre, name).weight)
    assert not torch.equal(tuned.out.weight, pre.out.weight)
    torch.testing.assert_close(tuned.out.weight, frozen.out.weight)  # same seed, same head
    assert [p.requires_grad for p in frozen.parameters()] == [False] * 6 + [True] * 2
    assert all(p.requires_grad for p in tuned.parameters())
    assert tuned.conv1.weight is not pre.conv1.weight  # a copy: training it leaves pre alone
    with pytest.raises(ValueError, match="pretrained"):
        transfer.transfer_model("finetune", None)
    with pytest.raises(ValueError, match="mode"):
        transfer.transfer_model("partly", pre)


def test_training_a_frozen_model_changes_only_the_unfrozen_layers(rng):
    pre = transfer.transfer_cnn()
    model = transfer.transfer_model("frozen", pre, freeze_depth=2)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x, y = _images(rng, 20), torch.from_numpy(rng.integers(0, 5, 20))
    run = transfer.train_few(model, x, y, x[:8], y[:8], epochs=3, eval_every=2)
    assert run.epochs == [2, 3] and len(run.test_accuracy) == 2
    after = model.state_dict()
    for k in before:
        same = torch.equal(before[k], after[k])
        assert same == k.startswith(("conv1", "conv2")), k


def test_few_label_runs_learn_a_separable_task_and_report_epochs_to_target(rng):
    # five classes told apart by which image quadrant is bright: any network learns it
    n = 200
    y = torch.from_numpy(rng.integers(0, 5, n))
    x = _images(rng, n) * 0.1
    for c in range(5):
        r, q = divmod(c, 3)
        x[y == c, :, 4 + 8 * r:12 + 8 * r, 2 + 8 * q:10 + 8 * q] += 2.0
    pre = transfer.transfer_cnn()
    runs = transfer.few_label_runs(pre, x, y, x, y, k=8, epochs=15, seed=1)
    assert set(runs) == set(transfer.MODES)
    assert runs["finetune"].final_accuracy > 0.9 and runs["scratch"].final_accuracy > 0.9
    assert runs["finetune"].epochs_to(0.9) <= 15
    assert runs["scratch"].epochs_to(1.01) == float("inf")


def test_few_label_curve_gives_each_run_what_it_gives_alone_whatever_the_pool(rng, monkeypatch):
    # the runs share a pool of threads on the CPU; each must still be exactly the run alone
    y = torch.from_numpy(rng.integers(0, 5, 120))
    x = _images(rng, 120)
    pre = transfer.transfer_cnn()
    curve = transfer.few_label_curve(pre, x, y, x[:30], y[:30], ks=[3, 1, 6], epochs=4,
                                     seed=2, eval_every={6: 2})
    assert list(curve) == [3, 1, 6] and all(list(runs) == list(transfer.MODES)
                                            for runs in curve.values())
    assert curve[6]["scratch"].epochs == [2, 4] and curve[3]["frozen"].epochs == [4]
    threads = torch.get_num_threads()
    monkeypatch.setattr(transfer.os, "cpu_count", lambda: 1)  # no pool: one run after another
    for k, every in ((3, 4), (1, 4), (6, 2)):
        alone = transfer.few_label_runs(pre, x, y, x[:30], y[:30], k=k, epochs=4, seed=2,
                                        eval_every=every)
        for mode in transfer.MODES:
            assert alone[mode].test_accuracy == curve[k][mode].test_accuracy, (k, mode)
    assert torch.get_num_threads() == threads  # the pool's one-thread setting is undone
    with pytest.raises(TypeError, match="modes must be a list"):
        transfer.few_label_curve(pre, x, y, x, y, ks=[1], modes="frozen")
    with pytest.raises(ValueError, match="ks must hold"):
        transfer.few_label_curve(pre, x, y, x, y, ks=[])


def test_the_pretrained_network_round_trips_through_a_weights_only_checkpoint(tmp_path, rng):
    pre = transfer.transfer_cnn()
    path = transfer.save_pretrained(tmp_path / "pre.pt", pre, meta={"digits": "0-4"})
    loaded, meta = transfer.load_pretrained(path)
    assert meta == {"digits": "0-4"}
    x = _images(rng, 4)
    with torch.no_grad():
        torch.testing.assert_close(loaded(x), pre.eval()(x))
    payload = torch.load(path, weights_only=True)  # plain tensors and containers only
    assert payload["arch"] == transfer.ARCH


def test_plant_cue_marks_only_the_target_class(rng):
    images = rng.uniform(0, 0.5, size=(12, 28, 28)).astype(np.float32)
    labels = np.arange(12) % 4
    out = generalise.plant_cue(images, labels, 2, position=(4, 5), size=2)
    marked = np.any(out != images, axis=(1, 2))
    assert marked.tolist() == (labels == 2).tolist()
    np.testing.assert_array_equal(out[labels == 2],
                                  augment.add_cue(images[labels == 2], position=(4, 5), size=2))
    with pytest.raises(ValueError, match="target"):
        generalise.plant_cue(images, labels, 7)


def test_rotation_curve_at_zero_is_the_plain_accuracy_and_falls_for_a_position_rule(rng):
    # a "network" that answers 1 when the top-left quadrant is brighter than the bottom-right
    class Quadrants(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.gain = torch.nn.Parameter(torch.ones(()))

        def forward(self, x):
            d = x[:, 0, :14, :14].mean((1, 2)) - x[:, 0, 14:, 14:].mean((1, 2))
            return self.gain * torch.stack([-d, d], 1)

    images = np.zeros((40, 28, 28))
    labels = np.arange(40) % 2
    images[labels == 1, 3:11, 3:11] = 1.0
    images[labels == 0, 17:25, 17:25] = 1.0
    model = Quadrants().eval()
    curve = generalise.rotation_curve(model, images, labels, [0, 90, 180])
    assert curve[0] == generalise.accuracy(model, images, labels) == 1.0
    assert curve[2] == 0.0  # turned upside down, the quadrants swap


def test_fit_pixels_trains_with_a_fresh_transform_each_epoch(rng):
    images = rng.uniform(0, 1, size=(32, 28, 28)).astype(np.float32)
    labels = rng.integers(0, 10, 32)
    calls = []

    def transform(x, r):
        calls.append(len(x))
        return x[:, ::-1]

    model = generalise.fit_pixels(generalise.softmax_regression(), images, labels, epochs=3,
                                  transform=transform, progress=False)
    assert calls == [32, 32, 32] and not model.training
    with pytest.raises(ValueError, match="labels"):
        generalise.fit_pixels(generalise.mlp(), images, labels[:5], progress=False)


def test_frozen_with_depth_zero_is_fine_tuning_and_the_default_depth_is_all_but_the_head(rng):
    pre = transfer.transfer_cnn()
    x, y = _images(rng, 30), torch.from_numpy(np.repeat(np.arange(5), 6))
    tuned = transfer.few_label_runs(pre, x, y, x, y, k=3, epochs=2, modes=("finetune",))
    depth0 = transfer.few_label_runs(pre, x, y, x, y, k=3, epochs=2, modes=("frozen",),
                                     freeze_depth=0)
    assert tuned["finetune"].test_accuracy == depth0["frozen"].test_accuracy
    default = transfer.transfer_model("frozen", pre)
    assert transfer.freeze(transfer.transfer_model("frozen", pre, freeze_depth=3), 3) == \
        ["conv1", "conv2", "fc1"]
    assert [p.requires_grad for p in default.parameters()] == \
        [p.requires_grad for p in transfer.transfer_model("frozen", pre,
                                                          freeze_depth=3).parameters()]


def test_average_runs_averages_the_curves_and_epochs_to_reads_the_mean():
    a = transfer.FewLabelRun("finetune", 10, [1, 2, 3], [0.5, 0.7, 0.9])
    b = transfer.FewLabelRun("finetune", 10, [1, 2, 3], [0.7, 0.7, 0.7])
    mean = transfer.average_runs([a, b])
    assert mean.test_accuracy == pytest.approx([0.6, 0.7, 0.8])
    assert mean.epochs_to(0.75) == 3 and mean.epochs_to(0.85) == float("inf")
    with pytest.raises(ValueError, match="runs"):
        transfer.average_runs([a, transfer.FewLabelRun("scratch", 10, [1, 2, 3], [0, 0, 0])])
