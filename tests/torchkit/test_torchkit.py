"""The torch room: device choice, seeding, MNIST tensors, models, training, checkpoints, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import nnlib.torchkit  # noqa: F401  (before torch: passive OpenMP waits)

torch = pytest.importorskip("torch")

from nnlib.torchkit import checkpoint, data, device, models, optimizers, train  # noqa: E402


@pytest.fixture
def no_env(monkeypatch):
    monkeypatch.delenv(device.ENV_VAR, raising=False)
    return monkeypatch


def fake_hardware(monkeypatch, *, cuda=False, mps=False):
    monkeypatch.setattr(device, "_cuda_available", lambda: cuda)
    monkeypatch.setattr(device, "_mps_available", lambda: mps)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2 if cuda else 0)


@pytest.fixture(scope="module")
def small_mnist():
    return data.load_mnist_tensors("cpu", train_limit=2000, test_limit=500, seed=0)


# --- device choice -------------------------------------------------------------------------

def test_cpu_only_machine_falls_back_to_cpu(no_env):
    fake_hardware(no_env)
    assert device.available_devices() == ["cpu"]
    assert device.choose_device("auto") == torch.device("cpu")
    assert device.choose_device() == torch.device("cpu")


def test_auto_prefers_cuda_then_mps_then_cpu(no_env):
    fake_hardware(no_env, cuda=True, mps=True)
    assert device.available_devices() == ["cuda", "mps", "cpu"]
    assert device.choose_device("auto").type == "cuda"
    fake_hardware(no_env, cuda=False, mps=True)
    assert device.choose_device("auto").type == "mps"
    assert device.choose_device("cpu").type == "cpu"


def test_env_var_overrides_auto_but_not_an_explicit_argument(no_env):
    fake_hardware(no_env, cuda=True)
    no_env.setenv(device.ENV_VAR, "cpu")
    assert device.choose_device().type == "cpu"
    assert device.choose_device("auto").type == "cpu"
    assert device.choose_device("cuda").type == "cuda"
    no_env.setenv(device.ENV_VAR, "auto")
    assert device.choose_device().type == "cuda"


def test_absent_device_error_lists_available(no_env):
    fake_hardware(no_env)
    with pytest.raises(ValueError, match=r"'cuda' is not available.*available devices: cpu"):
        device.choose_device("cuda")
    with pytest.raises(ValueError, match=r"'mps' is not available.*available devices: cpu"):
        device.choose_device("mps")
    no_env.setenv(device.ENV_VAR, "cuda")
    with pytest.raises(ValueError, match=r"NNLIB_DEVICE 'cuda' is not available.*cpu"):
        device.choose_device()


def test_cuda_index_checked_and_unknown_names_rejected(no_env):
    fake_hardware(no_env, cuda=True)
    assert device.choose_device("cuda:1") == torch.device("cuda:1")
    with pytest.raises(ValueError, match=r"cuda:5.*available CUDA indices: 0\.\.1"):
        device.choose_device("cuda:5")
    with pytest.raises(ValueError, match=r"unknown device 'tpu'; allowed: auto, cpu, cuda, mps"):
        device.choose_device("tpu")
    with pytest.raises(ValueError, match="unknown device 'cpu:0'"):
        device.choose_device("cpu:0")
    with pytest.raises(TypeError, match="device must be a string"):
        device.choose_device(3)
    assert device.choose_device(torch.device("cpu")).type == "cpu"


def test_thread_settings():
    before = torch.get_num_threads()
    try:
        assert 1 <= device.physical_cores() <= (len(__import__("os").sched_getaffinity(0)))
        assert device.configure_cpu_threads(1) == 1
        assert torch.get_num_threads() == 1
        assert device.configure_cpu_threads() == device.physical_cores()
        with pytest.raises(ValueError, match="threads must be an integer >= 1; got 0"):
            device.configure_cpu_threads(0)
        with pytest.raises(TypeError, match="threads must be an integer >= 1 or None; got 2.0"):
            device.configure_cpu_threads(2.0)
    finally:
        torch.set_num_threads(before)
    assert device.describe_device(torch.device("cpu")).startswith("cpu (")


def test_seeding_makes_cpu_training_reproducible(small_mnist):
    def run():
        device.seed_everything(3)
        model = models.fast_cnn(width=4, hidden=16)
        history = train.fit(model, small_mnist, epochs=1, batch_size=100, seed=3,
                            progress=False, evaluate_every_epoch=True)
        return history.train_loss, [p.detach().clone() for p in model.parameters()]

    loss_a, params_a = run()
    loss_b, params_b = run()
    assert loss_a == loss_b
    assert all(torch.equal(a, b) for a, b in zip(params_a, params_b))
    device.seed_everything(4)
    other = models.fast_cnn(width=4, hidden=16)
    assert not torch.equal(next(other.parameters()), params_a[0])
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        device.seed_everything(-1)


def test_training_layout_puts_convolutions_channels_last_on_the_cpu():
    model = models.cnn((4, 8), kernel_size=(5, 3), hidden=16, crop=2, padding="valid")
    assert train.to_training_layout(model) is model
    assert model.conv1.weight.is_contiguous(memory_format=torch.channels_last)
    x = torch.rand(6, 1, 28, 28)
    maps = model.pool1(model.conv1(model.crop(x)))  # the maps the max-pooling reads
    assert maps.is_contiguous(memory_format=torch.channels_last)
    plain = models.cnn((4, 8), kernel_size=(5, 3), hidden=16, crop=2, padding="valid")
    plain.load_state_dict(model.state_dict())
    torch.testing.assert_close(plain(x), model(x))  # the same function, another layout


def test_fit_side_by_side_gives_each_run_what_fit_gives_alone(small_mnist):
    def built(seed, **kw):
        device.seed_everything(seed)
        return models.cnn((4, 8), kernel_size=(5, 3), hidden=16, crop=2, padding="valid", **kw)

    threads = torch.get_num_threads()
    common = dict(epochs=2, batch_size=64, lr=3e-3, label_smoothing=0.0, seed=5)
    alone = []
    for seed, shift in ((0, 0), (1, 2), (2, 1)):
        model = built(seed)
        h = train.fit(model, small_mnist, threads=1, progress=False, shift=shift, **common)
        alone.append((h, [p.detach().clone() for p in model.parameters()]))
    runs = [(built(seed), {"shift": shift}) for seed, shift in ((0, 0), (1, 2), (2, 1))]
    together = train.fit_side_by_side(runs, small_mnist, **common)
    for (h_a, params), (model, _), h_b in zip(alone, runs, together):
        assert h_a.train_loss == h_b.train_loss and h_a.val_accuracy == h_b.val_accuracy
        assert all(torch.equal(a, b) for a, b in zip(params, model.parameters()))
    # dropout draws from torch's global generator: those runs go one after another
    drop = [(built(0, dropout=0.3), {}), (built(1, dropout=0.3), {})]
    assert len(train.fit_side_by_side(drop, small_mnist, epochs=1, batch_size=256)) == 2
    with pytest.raises(TypeError, match=r"runs\[0\] must be a \(model, dict"):
        train.fit_side_by_side([built(0)], small_mnist)
    with pytest.raises(ValueError, match="threads"):
        train.fit_side_by_side([(built(0), {"threads": 2})], small_mnist)
    torch.set_num_threads(threads)


# --- data ----------------------------------------------------------------------------------

def test_mnist_tensors_shapes_and_normalisation():
    full = data.load_mnist_tensors("cpu")
    assert full.x_train.shape == (60000, 1, 28, 28) and full.x_train.dtype == torch.float32
    assert full.y_train.shape == (60000,) and full.y_train.dtype == torch.int64
    assert full.x_test.shape == (10000, 1, 28, 28) and full.y_test.shape == (10000,)
    assert full.device == torch.device("cpu")
    # standardised with the training set's statistics: mean 0, standard deviation 1
    assert abs(float(full.x_train.mean())) < 1e-3
    assert abs(float(full.x_train.std()) - 1.0) < 1e-3
    assert float(full.x_train.min()) == pytest.approx(-data.MNIST_MEAN / data.MNIST_STD)
    assert set(full.y_train.unique().tolist()) == set(range(10))


def test_subset_is_fixed_and_round_trips(small_mnist):
    again = data.load_mnist_tensors("cpu", train_limit=2000, test_limit=500, seed=0)
    assert torch.equal(again.y_train, small_mnist.y_train)
    assert len(small_mnist.y_train) == 2000 and len(small_mnist.y_test) == 500
    assert len(small_mnist.y_train.unique()) == 10
    images = data.tensor_to_images(small_mnist.x_train[:5])
    assert images.shape == (5, 28, 28) and images.min() >= 0 and images.max() <= 1
    back = data.images_to_tensor(np.round(images * 255).astype(np.uint8))
    assert torch.allclose(back, small_mnist.x_train[:5], atol=1e-5)
    with pytest.raises(TypeError, match="images must be uint8"):
        data.images_to_tensor(images)
    with pytest.raises(ValueError, match="train_limit must be an integer >= 1"):
        data.load_mnist_tensors("cpu", train_limit=0)


def test_batch_indices_cover_everything_in_a_new_order_each_epoch():
    g = torch.Generator().manual_seed(0)
    first = torch.cat(list(data.batch_indices(10, 4, generator=g)))
    second = torch.cat(list(data.batch_indices(10, 4, generator=g)))
    assert sorted(first.tolist()) == list(range(10)) == sorted(second.tolist())
    assert not torch.equal(first, second)
    sizes = [len(b) for b in data.batch_indices(10, 4, shuffle=False)]
    assert sizes == [4, 4, 2] and data.num_batches(10, 4) == 3
    assert [len(b) for b in data.batch_indices(10, 4, drop_last=True)] == [4, 4]


def test_random_shift_moves_each_image_within_bounds():
    x = torch.full((50, 1, 8, 8), -1.0)
    x[:, 0, 4, 4] = 5.0  # one bright pixel in the middle
    g = torch.Generator().manual_seed(1)
    out = data.random_shift(x, 2, generator=g)
    assert out.shape == x.shape
    pos = (out[:, 0] == 5.0).nonzero()[:, 1:]
    assert len(pos) == 50  # the pixel survives in every image
    assert (pos - 4).abs().max() <= 2
    assert len({tuple(p) for p in pos.tolist()}) > 5  # offsets differ between images
    assert torch.equal(data.random_shift(x, 0), x)


# --- models --------------------------------------------------------------------------------

@pytest.mark.parametrize("build, weights", [(models.lenet, 61706), (models.fast_cnn, 72010)])
def test_model_shapes_and_sizes(build, weights):
    model = build()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert models.count_parameters(model) == weights


@pytest.mark.parametrize("kw", [
    dict(filters=(8,), kernel_size=3, pooling="none", hidden=None),
    dict(filters=(4, 8, 16), kernel_size=(3, 5, 3), pooling="avg", dropout=0.25),
    dict(filters=(6, 12), batch_norm=True, activation="tanh", padding="valid"),
])
def test_configurable_cnn(kw):
    model = models.cnn(**kw)
    assert model(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    names = [n for n, _ in model.named_children()]
    assert names[0] == "conv1" and names[-1] == "out"


def test_cnn_rejects_bad_settings():
    with pytest.raises(ValueError, match="unknown pooling 'median'"):
        models.cnn(pooling="median")
    with pytest.raises(ValueError, match=r"dropout must be a probability in \[0, 1\) \(the "
                                         r"fraction of units dropped\); got 1.0"):
        models.cnn(dropout=1.0)
    with pytest.raises(ValueError, match="kernel_size 5 of conv3 does not fit its 4x4 input"):
        models.cnn((8, 8, 8), kernel_size=5, padding="valid")
    with pytest.raises(ValueError, match="2x2 pooling cannot halve"):
        models.cnn((8,) * 6)
    with pytest.raises(ValueError, match="kernel_size must be one int or one per conv layer"):
        models.cnn(filters=(4, 8), kernel_size=(3, 3, 3))
    with pytest.raises(ValueError, match="unknown model name 'resnet'"):
        models.build_model("resnet")


def test_feature_maps_names_and_shapes():
    model = models.fast_cnn()
    maps = models.feature_maps(model, torch.zeros(1, 1, 28, 28))
    assert maps["crop"].shape == (1, 1, 24, 24)
    assert maps["conv1"].shape == (1, 16, 20, 20)
    assert maps["relu2"].shape == (1, 32, 4, 4)
    assert maps["out"].shape == (1, 10)
    assert model.training  # mode restored


# --- training ------------------------------------------------------------------------------

def test_train_one_epoch_and_evaluate_learn_on_a_subset(small_mnist):
    device.seed_everything(0)
    model = models.fast_cnn(width=8, hidden=32).to(memory_format=torch.channels_last)
    before = train.evaluate(model, small_mnist.x_test, small_mnist.y_test)
    opt = optimizers.make_optimizer("adam", model.parameters(), lr=3e-3)
    history = train.History()
    calls = []
    g = torch.Generator().manual_seed(0)
    plan = train.EpochPlan(opt, batch_size=64, generator=g, progress=False, history=history,
                           log_every=10, callback=lambda h: calls.append(len(h.step_loss)))
    for epoch in (1, 2):
        result = train.train_one_epoch(model, small_mnist.x_train, small_mnist.y_train, plan,
                                       epoch=epoch)
    after = train.evaluate(model, small_mnist.x_test, small_mnist.y_test)
    assert result.images == 2000 and result.images_per_second > 0
    assert 0 <= result.accuracy <= 1 and result.loss > 0
    assert after.accuracy > 0.85 > before.accuracy
    assert after.loss < before.loss
    # 32 batches per epoch, logged every 10 and at the end: 4 entries per epoch
    assert len(history.step_loss) == 8 == len(calls) == len(history.step_accuracy)
    assert history.step_epoch[3] == pytest.approx(1.0)
    assert history.step_epoch[-1] == pytest.approx(2.0)
    assert history.step_loss[-1] < history.step_loss[0]
    logits = train.predict(model, small_mnist.x_test)
    assert logits.shape == (500, 10)
    acc = float((logits.argmax(1) == small_mnist.y_test).float().mean())
    assert acc == pytest.approx(after.accuracy)


def test_fit_records_history_and_max_batches(small_mnist):
    model = models.lenet()
    history = train.fit(model, small_mnist, epochs=2, batch_size=50, lr=5e-3, seed=0,
                        progress=False, max_batches=10, log_every=5)
    assert history.val_epoch == [1, 2] and len(history.val_accuracy) == 2
    assert history.epoch == [1, 2] and len(history.train_loss) == 2 == len(history.train_accuracy)
    assert len(history.seconds) == 2 and history.total_seconds > 0
    assert len(history.step_loss) == 4
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        train.fit(model, small_mnist, optimizer="lbfgs", progress=False)
    with pytest.raises(ValueError, match="unknown schedule 'cosine'"):
        train.fit(model, small_mnist, schedule="cosine", progress=False)


def test_fit_takes_the_numpy_loops_callbacks(small_mnist):
    """One dialect: the Callback objects of nnlib.training.fit work in the torch loop."""
    from nnlib.callbacks import Callback, EvaluateEvery, GradientNorms

    class StopAfter2(Callback):
        def __init__(self):
            self.calls = []

        def on_fit_start(self, run):
            self.calls.append(("start", run.epochs))

        def on_epoch_end(self, run):
            self.calls.append(("epoch", run.epoch, run.history.val_accuracy[-1]))
            run.stop = run.epoch == 2

        def on_fit_end(self, run):
            self.calls.append(("end", run.epoch))

    x_test, y_test = small_mnist.x_test.cpu().numpy(), small_mnist.y_test.cpu().numpy()
    every, stop = EvaluateEvery(x_test, y_test), StopAfter2()
    history = train.fit(models.lenet(), small_mnist, epochs=4, batch_size=50, seed=0,
                        progress=False, max_batches=5, callbacks=[every, stop])
    assert history.epoch == [1, 2] and history.stopped_early
    assert [c[0] for c in stop.calls] == ["start", "epoch", "epoch", "end"]
    assert stop.calls[0] == ("start", 4)
    assert every.epoch == [1, 2]
    np.testing.assert_allclose(every.accuracy, history.val_accuracy)
    np.testing.assert_allclose(every.loss, history.val_loss, rtol=1e-6)
    with pytest.raises(ValueError, match=r"callbacks\[0\].*on_batch_end"):
        train.fit(models.lenet(), small_mnist, progress=False, callbacks=[GradientNorms()])
    with pytest.raises(TypeError, match="callbacks"):
        train.fit(models.lenet(), small_mnist, progress=False, callbacks=every)


def test_history_names_match_the_numpy_loop():
    """One vocabulary: every per-epoch and per-step field of nnlib.training.History exists in
    the torch History under the same name."""
    import dataclasses

    from nnlib import training

    numpy_fields = {f.name for f in dataclasses.fields(training.History)}
    torch_fields = {f.name for f in dataclasses.fields(train.History)}
    assert numpy_fields - {"engine", "stopped_early"} <= torch_fields
    assert train.History().total_seconds == 0 == training.History().total_seconds


def test_fit_builds_the_named_optimizer_with_betas_only_where_given(small_mnist):
    """fit(optimizer=name) trains with optimizers.make_optimizer(name, lr=, weight_decay=) and
    betas only when asked for; the recipe has a peak rate for every optimiser of the course."""
    from nnlib.callbacks import Callback

    class Grab(Callback):
        def on_fit_start(self, run):
            self.optimizer = run.optimizer

    def built(**kwargs):
        grab = Grab()
        train.fit(models.cnn((4,), hidden=None), small_mnist, epochs=1, batch_size=100,
                  progress=False, max_batches=1, callbacks=[grab], **kwargs)
        return grab.optimizer

    nadam = built(optimizer="nadam", lr=3e-3, betas=(0.8, 0.9), weight_decay=1e-4)
    assert isinstance(nadam, torch.optim.NAdam)
    assert nadam.defaults["betas"] == (0.8, 0.9) and nadam.defaults["weight_decay"] == 1e-4
    adam = built()  # the recipe's defaults: Adam with torch's (and nnlib's) betas
    assert isinstance(adam, torch.optim.Adam) and adam.defaults["betas"] == (0.9, 0.999)
    assert adam.defaults["eps"] == 1e-8 and adam.defaults["fused"] is True
    model = models.cnn((4,), hidden=None)
    with pytest.raises(TypeError, match="optimizer 'sgd' .* no hyper-parameter 'betas'"):
        train.fit(model, small_mnist, optimizer="sgd", betas=(0.9, 0.9), progress=False)
    with pytest.raises(ValueError, match=r"betas\[1\] must be a number in \[0, 1\); got 1.0"):
        train.fit(model, small_mnist, betas=(0.9, 1.0), progress=False)
    assert list(train.RECIPE_PEAK_LR) == list(optimizers.OPTIMIZERS)
    assert train.RECIPE_PEAK_LR["adam"] == 1e-2  # the recipe of notebook 12 and the lab


def test_epoch_plan_checks_its_settings():
    model = models.cnn((4,), hidden=None)
    opt = optimizers.make_optimizer("sgd", model.parameters(), lr=0.1)
    plan = train.EpochPlan(opt, batch_size=np.int64(32), label_smoothing=0)
    assert plan.batch_size == 32 and type(plan.batch_size) is int
    assert plan.label_smoothing == 0.0 and plan.max_batches is None
    with pytest.raises(ValueError, match=r"label_smoothing must be a number in \[0, 1\)"):
        train.EpochPlan(opt, label_smoothing=1.0)
    with pytest.raises(TypeError, match="optimizer must be a torch.optim optimiser"):
        train.EpochPlan("adam")
    with pytest.raises(ValueError, match="max_batches must be an integer >= 1; got 0"):
        train.EpochPlan(opt, max_batches=0)
    with pytest.raises(TypeError, match="plan must be an EpochPlan"):  # the old call
        train.train_one_epoch(model, torch.zeros(2, 1, 28, 28), torch.zeros(2, dtype=torch.long),
                              opt)


@pytest.mark.parametrize("name", optimizers.OPTIMIZERS)
@pytest.mark.parametrize("schedule", train.SCHEDULES)
def test_every_optimizer_and_schedule_takes_steps(small_mnist, name, schedule):
    model = models.cnn((4,), hidden=None)
    start = [p.detach().clone() for p in model.parameters()]
    train.fit(model, small_mnist, epochs=1, batch_size=100, lr=1e-2, optimizer=name,
              schedule=schedule, progress=False, max_batches=3, evaluate_every_epoch=False)
    assert any(not torch.equal(a, b) for a, b in zip(start, model.parameters()))


def test_train_rejects_mismatched_lengths(small_mnist):
    model = models.cnn((4,), hidden=None)
    plan = train.EpochPlan(optimizers.make_optimizer("sgd", model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match="x and y must have the same length"):
        train.train_one_epoch(model, small_mnist.x_train[:10], small_mnist.y_train[:9], plan)
    with pytest.raises(ValueError, match="x and y must have the same length"):
        train.evaluate(model, small_mnist.x_test[:10], small_mnist.y_test[:9])


# --- checkpoints ---------------------------------------------------------------------------

def test_checkpoint_round_trip_with_weights_only(tmp_path, small_mnist, monkeypatch):
    model = models.cnn((4, 8), kernel_size=3, dropout=0.1)
    model.eval()
    path = checkpoint.save_checkpoint(tmp_path / "m.pt", model, arch="cnn",
                                      arch_kwargs={"filters": (4, 8), "kernel_size": 3,
                                                   "dropout": 0.1},
                                      meta={"test_accuracy": 0.5})
    loads = []
    real_load = torch.load

    def spy(*args, **kwargs):
        loads.append(kwargs.get("weights_only"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(torch, "load", spy)
    rebuilt, meta = checkpoint.load_checkpoint(path)
    assert loads == [True]
    assert meta == {"test_accuracy": 0.5}
    x = small_mnist.x_test[:16]
    with torch.no_grad():
        assert torch.equal(rebuilt(x), model(x))
    into = models.cnn((4, 8), kernel_size=3, dropout=0.1)
    loaded, _ = checkpoint.load_checkpoint(path, into)
    assert loaded is into and not loaded.training
    with pytest.raises(ValueError, match="unknown arch 'vgg'"):
        checkpoint.save_checkpoint(tmp_path / "x.pt", model, arch="vgg")


def test_checkpoint_refuses_arbitrary_pickles(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("this must never run",))

    torch.save({"state_dict": {}, "arch": None, "obj": Evil()}, tmp_path / "evil.pt")
    with pytest.raises(checkpoint.CheckpointError, match="evil.pt") as info:
        checkpoint.load_checkpoint(tmp_path / "evil.pt", models.lenet())
    assert "weights_only" not in str(info.value) and info.value.__cause__ is None
    torch.save({"state_dict": models.lenet().state_dict()}, tmp_path / "bare.pt")
    with pytest.raises(checkpoint.CheckpointError, match="bare.pt has no checksum"):
        checkpoint.load_checkpoint(tmp_path / "bare.pt")


@pytest.fixture
def saved(tmp_path):
    """A small checkpoint on disk, its bytes, and the model it holds."""
    torch.manual_seed(0)
    model = models.cnn((4, 8), kernel_size=3, hidden=16)
    path = checkpoint.save_checkpoint(
        tmp_path / "good.pt", model, arch="cnn",
        arch_kwargs={"filters": (4, 8), "kernel_size": 3, "hidden": 16},
        meta={"test_accuracy": 0.75, "epochs": 2})
    return path, path.read_bytes(), model


def _damaged(tmp_path, name, raw):
    path = tmp_path / name
    path.write_bytes(raw)
    return path


def _refused(path):
    with pytest.raises(checkpoint.CheckpointError) as info:
        checkpoint.load_checkpoint(path)
    msg = str(info.value)
    assert str(path) in msg, msg
    assert "weights_only" not in msg and info.value.__cause__ is None, msg
    return msg


def test_empty_truncated_and_random_checkpoints_raise_one_clear_error(tmp_path, saved):
    _, raw, _ = saved
    assert "empty" in _refused(_damaged(tmp_path, "empty.pt", b""))
    for cut in (1, 10, len(raw) // 3, len(raw) // 2, len(raw) - 100, len(raw) - 1):
        _refused(_damaged(tmp_path, f"cut{cut}.pt", raw[:cut]))
    noise = np.random.default_rng(0).integers(0, 256, len(raw), dtype=np.uint8).tobytes()
    _refused(_damaged(tmp_path, "noise.pt", noise))
    _refused(_damaged(tmp_path, "text.pt", b"not a checkpoint at all\n" * 50))
    assert issubclass(checkpoint.CheckpointError, ValueError)
    with pytest.raises(FileNotFoundError, match="missing.pt"):
        checkpoint.load_checkpoint(tmp_path / "missing.pt")


def test_a_flipped_byte_in_the_weights_fails_the_checksum(tmp_path, saved):
    _, raw, model = saved
    weight = model.conv2.weight.detach().numpy().tobytes()
    at = raw.find(weight)
    assert at > 0, "the tensor bytes are stored uncompressed in the file"
    for offset in (0, len(weight) // 2, len(weight) - 1):
        bad = bytearray(raw)
        bad[at + offset] ^= 0x10
        msg = _refused(_damaged(tmp_path, f"flip{offset}.pt", bytes(bad)))
        assert "checksum" in msg


def test_any_flipped_byte_is_refused_or_harmless(tmp_path, saved):
    """Flip one byte at 60 places across the file: the load refuses it or is unchanged."""
    _, raw, model = saved
    ref = {k: v.clone() for k, v in model.state_dict().items()}
    for i, at in enumerate(np.linspace(0, len(raw) - 1, 60).astype(int)):
        bad = bytearray(raw)
        bad[at] ^= 0xFF
        path = _damaged(tmp_path, f"f{i}.pt", bytes(bad))
        try:
            loaded, meta = checkpoint.load_checkpoint(path)
        except checkpoint.CheckpointError as e:
            assert str(path) in str(e) and "weights_only" not in str(e)
            continue
        assert meta == {"test_accuracy": 0.75, "epochs": 2}, f"byte {at} changed meta silently"
        state = loaded.state_dict()
        assert all(torch.equal(state[k], ref[k]) for k in ref), f"byte {at} changed weights"


def test_numpy_values_in_meta_are_converted_and_load_back(tmp_path):
    model = models.lenet()
    meta = {"acc": np.float64(0.9912), "epochs": np.int64(3), "ok": np.bool_(True),
            "curve": np.array([0.5, 0.25], dtype=np.float32), "nested": {"n": np.int32(7)},
            "nan": float("nan")}
    path = checkpoint.save_checkpoint(tmp_path / "np.pt", model, arch="lenet", meta=meta)
    _, back = checkpoint.load_checkpoint(path)
    assert back["acc"] == 0.9912 and type(back["acc"]) is float
    assert back["epochs"] == 3 and type(back["epochs"]) is int
    assert back["ok"] is True and back["curve"] == [0.5, 0.25] and back["nested"] == {"n": 7}
    assert back["nan"] != back["nan"]
    with pytest.raises(TypeError, match=r"meta\['obj'\] must hold plain values"):
        checkpoint.save_checkpoint(tmp_path / "obj.pt", model, meta={"obj": object()})
    with pytest.raises(TypeError, match="meta keys must be strings"):
        checkpoint.save_checkpoint(tmp_path / "key.pt", model, meta={1: 2})
    assert not (tmp_path / "obj.pt").exists() and not list(tmp_path.glob("*.part"))
    with pytest.raises(ValueError, match="does not fit the model"):
        checkpoint.load_checkpoint(path, models.fast_cnn())
    anonymous = checkpoint.save_checkpoint(tmp_path / "anon.pt", model)
    with pytest.raises(ValueError, match="does not name its architecture"):
        checkpoint.load_checkpoint(anonymous)
    assert checkpoint.load_checkpoint(anonymous, models.lenet())[1] == {}


# --- command line --------------------------------------------------------------------------

def test_cli_json_on_a_subset(tmp_path):
    ckpt = tmp_path / "cli.pt"
    proc = subprocess.run(
        [sys.executable, "-m", "nnlib.torchkit", "--device", "cpu", "--epochs", "1",
         "--limit", "1500", "--test-limit", "300", "--threads", "1", "--json",
         "--save", str(ckpt)],
        capture_output=True, text=True, timeout=300, env={**__import__("os").environ,
                                                          "NNLIB_DEVICE": "auto"})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["device"] == "cpu" and result["model"] == "fast_cnn"
    assert result["train_images"] == 1500 and result["test_images"] == 300
    assert 0.5 < result["test_accuracy"] <= 1.0 and result["train_seconds"] > 0
    assert result["threads"] == 1
    assert "epoch 1/1" in proc.stderr  # the progress bar
    model, meta = checkpoint.load_checkpoint(ckpt)
    assert meta["test_accuracy"] == result["test_accuracy"]


_CLI = ["--device", "cpu", "--epochs", "1", "--limit", "1200", "--test-limit", "300",
        "--threads", "2", "--json", "--no-progress"]


def _cli(tmp_path, name, *, torch_first=False, seed=7):
    """Run the command (optionally from a Python that loaded torch first); (json, state, meta)."""
    ckpt = tmp_path / f"{name}.pt"
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    if torch_first:
        code = ("import sys, runpy, torch; sys.argv = ['nnlib.torchkit'] + sys.argv[1:]; "
                "runpy.run_module('nnlib.torchkit', run_name='__main__', alter_sys=True)")
        cmd = [sys.executable, "-c", code]
    else:
        cmd = [sys.executable, "-m", "nnlib.torchkit"]
    proc = subprocess.run(cmd + _CLI + ["--seed", str(seed), "--save", str(ckpt)],
                          capture_output=True, text=True,
                          timeout=300, env=env)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    model, meta = checkpoint.load_checkpoint(ckpt)
    return result, model.state_dict(), meta


def test_cli_same_seed_gives_bit_identical_weights_and_json(tmp_path):
    from nnlib.torchkit.__main__ import TIMING_KEYS

    runs = [_cli(tmp_path, "a"), _cli(tmp_path, "b"), _cli(tmp_path, "c", torch_first=True)]
    (ja, sa, ma), *others = runs
    assert ja["seed"] == 7 and ja["threads"] == 2 and not ja["openmp_spins"]
    for jb, sb, mb in others:
        # torch loaded first: the command restarted itself with passive waits, same results
        assert jb["omp_wait_policy"] == "PASSIVE" and not jb["openmp_spins"]
        assert {k: v for k, v in ja.items() if k not in TIMING_KEYS} == \
            {k: v for k, v in jb.items() if k not in TIMING_KEYS}
        assert ma == mb
        assert sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)
    _, s3, _ = _cli(tmp_path, "d", seed=3)
    assert not torch.equal(s3["conv1.weight"], sa["conv1.weight"])


def test_cli_rejects_bad_numbers_and_a_missing_data_directory(tmp_path):
    for flag, value in (("--epochs", "0"), ("--lr", "-1"), ("--lr", "nan"), ("--seed", "-3"),
                        ("--limit", "many"), ("--threads", "0")):
        proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", flag, value],
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 2 and flag in proc.stderr and repr(value) in proc.stderr, \
            proc.stderr
    proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", "--device", "cpu",
                           "--limit", "100", "--no-progress"], capture_output=True, text=True,
                          timeout=120, env={**os.environ, "NNLIB_DATA": str(tmp_path / "nowhere")})
    assert proc.returncode == 2
    assert "data directory" in proc.stderr and "nowhere" in proc.stderr, proc.stderr


def test_cli_reports_an_absent_device():
    proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", "--device", "mps",
                           "--limit", "100"], capture_output=True, text=True, timeout=120)
    if "mps" in device.available_devices():
        pytest.skip("this machine has MPS")
    assert proc.returncode == 2
    assert "available devices:" in proc.stderr and "cpu" in proc.stderr


def test_importing_torchkit_makes_openmp_threads_wait_passively():
    import os

    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    code = "import os, nnlib.torchkit; print(os.environ['OMP_WAIT_POLICY'])"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.strip() == "PASSIVE"
    env["OMP_WAIT_POLICY"] = "ACTIVE"  # a user's own choice is kept
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.strip() == "ACTIVE"


def test_training_throughput_is_positive_and_moves_the_model(small_mnist):
    model = models.cnn((4,), hidden=None)
    before = model.conv1.weight.detach().clone()
    speed = train.training_throughput(model, small_mnist.x_train[:300], small_mnist.y_train[:300],
                                      device="cpu", batch_size=50, steps=4, warmup=1)
    assert speed > 0
    assert not torch.equal(before, model.conv1.weight)


def test_multiply_adds_by_hand():
    # conv 1->16 5x5 on 24x24 (20x20 out), conv 16->32 3x3 on 10x10 (8x8 out), FC 512-128-10
    expected = 16 * 20 * 20 * 25 + 32 * 8 * 8 * 16 * 9 + 512 * 128 + 128 * 10
    assert models.multiply_adds(models.fast_cnn()) == expected
    assert models.multiply_adds(models.cnn((8,), kernel_size=5, hidden=None, padding="valid")) \
        == 8 * 24 * 24 * 25 + 1152 * 10


def test_spinning_openmp_keeps_the_thread_count_and_warns_once(monkeypatch):
    before = torch.get_num_threads()
    try:
        monkeypatch.setattr(nnlib.torchkit, "OPENMP_SPINS", True)
        monkeypatch.setattr(device, "_warned_spinning", False)
        with pytest.warns(RuntimeWarning, match="OMP_WAIT_POLICY=PASSIVE"):
            assert device.configure_cpu_threads(2) == 2
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert device.configure_cpu_threads(2) == 2  # once per session
        monkeypatch.setattr(nnlib.torchkit, "OPENMP_SPINS", False)
        assert device.configure_cpu_threads() == device.physical_cores()
    finally:
        torch.set_num_threads(before)


_ORDER_PROBE = """
import json, os, warnings
warnings.simplefilter("ignore")
{imports}
from nnlib.torchkit import device, models
import torch
device.seed_everything(5)
w0 = models.fast_cnn().conv1.weight.sum().item()
print(json.dumps({{"threads": device.configure_cpu_threads(),
                   "spins": __import__("nnlib.torchkit").torchkit.OPENMP_SPINS, "w0": w0}}))
"""


def _probe(imports, env):
    out = subprocess.run([sys.executable, "-c", _ORDER_PROBE.format(imports=imports)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_library_behaviour_does_not_depend_on_import_order():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    ours_first = _probe("import nnlib.torchkit\nimport torch", env)
    torch_first = _probe("import torch\nimport nnlib.torchkit", env)
    assert not ours_first["spins"] and torch_first["spins"]
    assert ours_first["threads"] == torch_first["threads"] == device.physical_cores()
    assert ours_first["w0"] == torch_first["w0"]
    # with the policy exported before Python starts (make, Binder, tests) torch first is fine
    passive = _probe("import torch\nimport nnlib.torchkit", {**env, "OMP_WAIT_POLICY": "PASSIVE"})
    assert not passive["spins"] and passive["threads"] == ours_first["threads"]


def test_adam_uses_the_fused_kernel_on_cpu():
    opt = optimizers.make_optimizer("adam", models.lenet().parameters(), lr=1e-3)
    assert opt.defaults["fused"] is True
    assert opt.defaults["betas"] == (0.9, 0.999)  # torch's default (issue 9: no silent 0.9)
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        optimizers.make_optimizer("adam", models.lenet().parameters(), lr=0)


# --- issue 22: nothing lost ----------------------------------------------------------------

def test_checkpoint_refuses_to_overwrite_unless_asked(tmp_path):
    path = checkpoint.save_checkpoint(tmp_path / "m.pt", models.lenet(), arch="lenet",
                                      meta={"run": 1})
    before = path.read_bytes()
    with pytest.raises(FileExistsError, match=r"m\.pt already exists.*overwrite=True.*--force"):
        checkpoint.save_checkpoint(path, models.lenet(), arch="lenet", meta={"run": 2})
    assert path.read_bytes() == before
    checkpoint.save_checkpoint(path, models.lenet(), arch="lenet", meta={"run": 2},
                               overwrite=True)
    assert checkpoint.load_checkpoint(path)[1] == {"run": 2}
    with pytest.raises(IsADirectoryError, match="is a directory"):
        checkpoint.save_checkpoint(tmp_path, models.lenet(), overwrite=True)
    with pytest.raises(TypeError, match="overwrite must be True or False"):
        checkpoint.save_checkpoint(tmp_path / "n.pt", models.lenet(), overwrite="yes")


def test_an_interrupted_checkpoint_save_keeps_the_old_file(tmp_path, monkeypatch):
    path = checkpoint.save_checkpoint(tmp_path / "m.pt", models.lenet(), arch="lenet")
    before = path.read_bytes()
    real_save = torch.save

    def dies_midway(obj, f, *args, **kwargs):
        with open(f, "wb") as out:
            out.write(before[:100])  # half a file, then the disk fills / Ctrl-C
        raise OSError("No space left on device")

    monkeypatch.setattr(torch, "save", dies_midway)
    with pytest.raises(OSError, match="No space left"):
        checkpoint.save_checkpoint(path, models.lenet(), arch="lenet", overwrite=True)
    monkeypatch.setattr(torch, "save", real_save)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pt"]
    checkpoint.load_checkpoint(path)


def _cli_must_not_train(monkeypatch):
    def boom(*args, **kwargs):
        raise AssertionError("the command trained (or loaded data) before checking --save")

    monkeypatch.setattr(data, "load_mnist_tensors", boom)
    monkeypatch.setattr(train, "fit", boom)


def test_cli_checks_save_before_training(tmp_path, monkeypatch, capsys):
    from nnlib.torchkit.__main__ import main

    _cli_must_not_train(monkeypatch)
    existing = tmp_path / "old.pt"
    existing.write_bytes(b"precious")
    a_file = tmp_path / "file"
    a_file.write_text("")
    cases = [
        (tmp_path, "is a directory"),
        (existing, "already exists"),
        (a_file / "model.pt", "not a directory"),
    ]
    for target, words in cases:
        code = main(["--device", "cpu", "--save", str(target), "--no-progress"])
        err = capsys.readouterr().err
        assert code == 2, err
        assert "--save" in err and str(target) in err and words in err, err
        assert "Traceback" not in err
    assert main(["--device", "cpu", "--save", str(existing), "--no-progress"]) == 2
    assert "--force" in capsys.readouterr().err
    assert existing.read_bytes() == b"precious"


def test_cli_checks_that_the_save_folder_is_writable(tmp_path, monkeypatch, capsys):
    from nnlib.torchkit import __main__ as cli

    _cli_must_not_train(monkeypatch)
    locked = tmp_path / "locked"
    locked.mkdir()
    asked = []

    def access(path, mode):  # a read-only folder, also when the tests run as root
        asked.append(Path(path))
        return Path(path) != locked

    monkeypatch.setattr(cli.os, "access", access)
    assert cli.main(["--device", "cpu", "--save", str(locked / "sub" / "m.pt")]) == 2
    assert asked == [locked]  # the nearest folder that exists
    err = capsys.readouterr().err
    assert "cannot write" in err and str(locked) in err and not (locked / "sub").exists()


def test_cli_with_force_replaces_an_existing_file(tmp_path):
    existing = tmp_path / "old.pt"
    existing.write_bytes(b"precious")
    proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", "--device", "cpu",
                           "--save", str(existing), "--no-progress"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "already exists" in proc.stderr and \
        "--force" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert existing.read_bytes() == b"precious"
    proc = subprocess.run([sys.executable, "-m", "nnlib.torchkit", "--device", "cpu",
                           "--epochs", "1", "--limit", "300", "--test-limit", "100",
                           "--threads", "1", "--no-progress", "--save", str(existing),
                           "--force"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert checkpoint.load_checkpoint(existing)[1]["epochs"] == 1
