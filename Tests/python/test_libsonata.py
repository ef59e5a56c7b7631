"""SONATA tools read NDML's output: libsonata (the reader SONATA tools use) on the spikes of a
results file and on a report file written by `ndml report`.
"""

from __future__ import annotations

import h5py
import libsonata
import numpy as np
import pytest

POPULATIONS = ["exc", "inh"]


def h5_spikes(path, pop):
    with h5py.File(path, "r") as f:
        return f[f"spikes/{pop}/timestamps"][()], f[f"spikes/{pop}/node_ids"][()].astype(np.int64)


def test_spike_reader_population_names(layout_run):
    reader = libsonata.SpikeReader(str(layout_run.results))
    assert sorted(reader.get_population_names()) == sorted(POPULATIONS)


@pytest.mark.parametrize("pop", POPULATIONS)
def test_spike_reader_same_spikes_as_h5py(layout_run, pop):
    reader = libsonata.SpikeReader(str(layout_run.results))
    population = reader[pop]
    assert population.sorting == "by_time"
    assert population.time_units == "ms"
    t, ids = h5_spikes(layout_run.results, pop)
    spikes = population.get()  # [(node_id, timestamp), ...]
    assert len(spikes) == t.size > 0
    got_ids = np.array([s[0] for s in spikes], dtype=np.int64)
    got_t = np.array([s[1] for s in spikes], dtype=np.float64)
    # libsonata returns the file's order for by_time files; compare as (time, id) sets to be
    # independent of its internal ordering.
    order_h5 = np.lexsort((ids, t))
    order_ls = np.lexsort((got_ids, got_t))
    np.testing.assert_array_equal(got_t[order_ls], t[order_h5])
    np.testing.assert_array_equal(got_ids[order_ls], ids[order_h5])
    # Time-window selection works on our file too.
    tmid = float(np.median(t))
    first_half = population.get(tstart=0.0, tstop=tmid)
    assert 0 < len(first_half) <= t.size
    assert all(s[1] <= tmid for s in first_half)


@pytest.fixture(scope="module")
def sonata_report(layout_run, run_ndml, tmp_path_factory):
    rep = tmp_path_factory.mktemp("report") / "rep.h5"
    run_ndml("report", layout_run.results, "--population", "exc", "--variable", "v", "-o", rep)
    if not rep.is_file():
        pytest.fail(f"ndml report exited 0 but wrote no {rep}", pytrace=False)
    return rep


def test_report_file_layout(sonata_report):
    """The standalone report has /report/<pop>/data + mapping/... (one variable per file)."""
    with h5py.File(sonata_report, "r") as f:
        assert list(f["report"].keys()) == ["exc"]
        g = f["report/exc"]
        assert g["data"].dtype == np.float32 and g["data"].ndim == 2
        assert g["data"].attrs["units"] == "mV"
        assert g["mapping/node_ids"].dtype == np.uint64
        assert g["mapping/index_pointers"].dtype == np.uint64
        assert g["mapping/element_ids"].dtype == np.uint32
        assert g["mapping/time"].dtype == np.float64
        assert g["mapping/time"].attrs["units"] == "ms"


def test_element_report_reader(layout_run, sonata_report):
    with h5py.File(layout_run.results, "r") as f:
        base = f["report/exc/v"]
        expected = base["data"][()]
        start, stop, step = base["mapping/time"][()]
        node_ids = base["mapping/node_ids"][()].astype(np.int64)

    reader = libsonata.ElementReportReader(str(sonata_report))
    assert reader.get_population_names() == ["exc"]
    pop = reader["exc"]
    assert pop.data_units == "mV"
    assert pop.time_units == "ms"
    assert pop.times == pytest.approx((start, stop, step))
    assert sorted(pop.get_node_ids()) == sorted(node_ids.tolist())
    frame = pop.get()
    data = np.asarray(frame.data)
    assert data.shape == expected.shape, f"libsonata data {data.shape}, results file {expected.shape}"
    np.testing.assert_array_equal(np.asarray(frame.ids)[:, 0], node_ids)
    np.testing.assert_array_equal(data, expected)  # float32 both: exact
    times = np.asarray(frame.times)
    np.testing.assert_allclose(times, start + step * np.arange(expected.shape[0]))
    # Selecting one node returns that node's column.
    one = pop.get(node_ids=[int(node_ids[1])])
    np.testing.assert_array_equal(np.asarray(one.data)[:, 0], expected[:, 1])
