"""The NDML results file matches docs/results-format.md, checked with h5py only (no NDML code).

One 200 ms CUBA run (fixture `layout_run` in conftest.py) that records the spikes of exc and inh
and `v` of exc neurons [0, 1, 2] every 1 ms.
"""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import yaml

SORTING_ENUM = {"none": 0, "by_id": 1, "by_time": 2}
POPULATIONS = {"exc": 3200, "inh": 800}


@pytest.fixture(scope="module")
def h5(layout_run):
    with h5py.File(layout_run.results, "r") as f:
        yield f


def attr_dtype(obj, name) -> np.dtype:
    """The stored HDF5 type of an attribute, as h5py maps it (keeps enum/string metadata)."""
    assert name in obj.attrs, f"{obj.name} has no attribute {name!r}; it has {sorted(obj.attrs)}"
    return obj.attrs.get_id(name).dtype


def assert_vlen_utf8_attr(obj, name) -> str:
    dt = attr_dtype(obj, name)
    info = h5py.check_string_dtype(dt)
    assert info is not None, f"{obj.name}@{name} is not a string (dtype {dt})"
    assert info.encoding == "utf-8", f"{obj.name}@{name} is {info.encoding}, not UTF-8"
    assert info.length is None, f"{obj.name}@{name} is a fixed-length string, not variable-length"
    value = obj.attrs[name]
    assert isinstance(value, str), f"{obj.name}@{name} reads as {type(value)}, not str"
    return value


def assert_scalar_attr(obj, name, dtype) -> object:
    dt = attr_dtype(obj, name)
    assert dt == np.dtype(dtype), f"{obj.name}@{name} has dtype {dt}, expected {np.dtype(dtype)}"
    value = obj.attrs[name]
    assert np.ndim(value) == 0, f"{obj.name}@{name} is not a scalar: shape {np.shape(value)}"
    return value.item() if hasattr(value, "item") else value


def dataset(f, path, dtype, ndim=None) -> h5py.Dataset:
    assert path in f, f"missing dataset {path}"
    ds = f[path]
    assert isinstance(ds, h5py.Dataset), f"{path} is not a dataset"
    assert ds.dtype == np.dtype(dtype), f"{path} has dtype {ds.dtype}, expected {np.dtype(dtype)}"
    if ndim is not None:
        assert ds.ndim == ndim, f"{path} has {ds.ndim} dimensions, expected {ndim}"
    return ds


# ---------------------------------------------------------------------------------------------
# /spikes
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pop", list(POPULATIONS))
def test_spike_datasets(h5, layout_run, pop):
    grp = h5[f"spikes/{pop}"]
    assert isinstance(grp, h5py.Group)
    ts = dataset(h5, f"spikes/{pop}/timestamps", np.float64, ndim=1)
    ids = dataset(h5, f"spikes/{pop}/node_ids", np.uint64, ndim=1)
    assert assert_vlen_utf8_attr(ts, "units") == "ms"
    assert ts.shape == ids.shape, f"{pop}: {ts.shape[0]} timestamps but {ids.shape[0]} node ids"
    t = ts[()]
    n = ids[()]
    assert t.size > 0, f"{pop} did not spike in {layout_run.duration_ms} ms of CUBA"
    assert np.all(np.isfinite(t))
    assert t.min() >= 0.0 and t.max() <= layout_run.duration_ms, (t.min(), t.max())
    assert n.max() < POPULATIONS[pop], f"{pop}: node id {n.max()} >= population size"


@pytest.mark.parametrize("pop", list(POPULATIONS))
def test_spike_sorting_enum(h5, pop):
    grp = h5[f"spikes/{pop}"]
    dt = attr_dtype(grp, "sorting")
    mapping = h5py.check_enum_dtype(dt)
    assert mapping is not None, f"/spikes/{pop}@sorting is not an HDF5 enum (dtype {dt})"
    assert dict(mapping) == SORTING_ENUM, f"enum members {dict(mapping)}"
    assert dt.kind == "u" and dt.itemsize == 1, f"enum base type is {dt}, expected uint8"
    assert int(grp.attrs["sorting"]) == SORTING_ENUM["by_time"]


@pytest.mark.parametrize("pop", list(POPULATIONS))
def test_spikes_sorted_by_time_then_id(h5, pop):
    t = h5[f"spikes/{pop}/timestamps"][()]
    n = h5[f"spikes/{pop}/node_ids"][()].astype(np.int64)
    dt = np.diff(t)
    dn = np.diff(n)
    assert np.all(dt >= 0), f"timestamps decrease at index {int(np.argmin(dt >= 0))}"
    ties = dt == 0
    assert np.all(dn[ties] > 0), "spikes at equal times are not in increasing node-id order (or repeat)"


def test_no_unexpected_spike_populations(h5):
    assert set(h5["spikes"].keys()) == set(POPULATIONS)


# ---------------------------------------------------------------------------------------------
# /report
# ---------------------------------------------------------------------------------------------

def test_state_report(h5, layout_run):
    base = "report/exc/v"
    assert base in h5, f"missing {base}; /report has {list(h5.get('report', {}).keys())}"
    data = dataset(h5, f"{base}/data", np.float32, ndim=2)
    assert assert_vlen_utf8_attr(data, "units") == "mV"
    k = len(layout_run.state_neurons)

    node_ids = dataset(h5, f"{base}/mapping/node_ids", np.uint64, ndim=1)[()]
    np.testing.assert_array_equal(node_ids, layout_run.state_neurons)
    ptr = dataset(h5, f"{base}/mapping/index_pointers", np.uint64, ndim=1)[()]
    np.testing.assert_array_equal(ptr, np.arange(k + 1))
    elems = dataset(h5, f"{base}/mapping/element_ids", np.uint32, ndim=1)[()]
    np.testing.assert_array_equal(elems, np.zeros(k))

    time_ds = dataset(h5, f"{base}/mapping/time", np.float64, ndim=1)
    assert time_ds.shape == (3,), f"mapping/time has shape {time_ds.shape}, expected (3,)"
    assert assert_vlen_utf8_attr(time_ds, "units") == "ms"
    start, stop, step = time_ds[()]
    assert step == pytest.approx(layout_run.interval_ms)
    assert 0.0 <= start < stop <= layout_run.duration_ms + step, (start, stop, step)
    n_times = int(round((stop - start) / step))
    # The recording covers the run: one sample per interval (allow the first/last to be off by one).
    expected = layout_run.duration_ms / layout_run.interval_ms
    assert abs(n_times - expected) <= 1, f"{n_times} samples for {layout_run.duration_ms} ms"
    assert data.shape == (n_times, k), f"data shape {data.shape}, expected ({n_times}, {k})"

    v = data[()]
    assert np.all(np.isfinite(v))
    # Membrane potentials of this CUBA network stay within a physiological band (threshold -50 mV,
    # reset -60 mV, inhibition can push v somewhat below the reset).
    assert v.min() > -100.0 and v.max() < -45.0, (v.min(), v.max())
    assert np.ptp(v, axis=0).min() > 0.0, "a recorded neuron's v never changed"


def test_report_only_requested(h5):
    assert set(h5["report"].keys()) == {"exc"}
    assert set(h5["report/exc"].keys()) == {"v"}


# ---------------------------------------------------------------------------------------------
# /ndml
# ---------------------------------------------------------------------------------------------

def test_ndml_metadata(h5, layout_run):
    g = h5["ndml"]
    sim = layout_run.config["simulation"]
    version = assert_vlen_utf8_attr(g, "version")
    assert version.strip(), "empty version"
    assert assert_scalar_attr(g, "seed", np.int64) == sim["seed"]
    precision = assert_vlen_utf8_attr(g, "precision")
    assert precision in ("float64", "float32")
    assert precision == sim.get("precision", precision)
    assert assert_scalar_attr(g, "dt_ms", np.float64) == pytest.approx(sim["dt_ms"])
    assert assert_scalar_attr(g, "duration_ms", np.float64) == pytest.approx(layout_run.duration_ms)
    assert assert_vlen_utf8_attr(g, "backend") == "cpu"
    assert assert_vlen_utf8_attr(g, "status") == "complete"
    wall = assert_scalar_attr(g, "wall_time_s", np.float64)
    assert np.isfinite(wall) and wall >= 0.0


def test_ndml_config_text(h5, layout_run):
    ds = h5["ndml/config"]
    assert isinstance(ds, h5py.Dataset)
    assert ds.shape == (), f"/ndml/config has shape {ds.shape}, expected a scalar"
    info = h5py.check_string_dtype(ds.dtype)
    assert info is not None and info.encoding == "utf-8" and info.length is None, \
        f"/ndml/config is not a variable-length UTF-8 string (dtype {ds.dtype})"
    text = ds.asstr()[()]
    assert isinstance(text, str) and text.strip()
    parsed = yaml.safe_load(text)
    assert isinstance(parsed, dict), "/ndml/config is not a YAML mapping"
    assert set(parsed["populations"]) == set(POPULATIONS)
    assert parsed["populations"]["exc"]["size"] == POPULATIONS["exc"]


@pytest.mark.parametrize("pop,size", list(POPULATIONS.items()))
def test_ndml_populations(h5, layout_run, pop, size):
    g = h5[f"ndml/populations/{pop}"]
    assert isinstance(g, h5py.Group)
    assert assert_scalar_attr(g, "size", np.int64) == size
    assert assert_vlen_utf8_attr(g, "model") == layout_run.config["populations"][pop]["model"]


def test_ndml_population_list(h5):
    assert set(h5["ndml/populations"].keys()) == set(POPULATIONS)
