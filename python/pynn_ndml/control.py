"""setup(), run(), reset(), end() of the NDML PyNN backend."""

from pyNN import common
from pyNN.common.control import DEFAULT_MAX_DELAY, DEFAULT_MIN_DELAY, DEFAULT_TIMESTEP
from pyNN.recording import get_io

from . import simulator


def setup(timestep=DEFAULT_TIMESTEP, min_delay=DEFAULT_MIN_DELAY, **extra_params):
    """Start a new network. Extra parameters: `rng_seed` (NDML's seed, default 1), `threads`
    (engine threads; results are identical for any count), `keep_files` (keep the generated
    config and results in the work directory, printed by `simulator.state.workdir`)."""
    max_delay = extra_params.get("max_delay", DEFAULT_MAX_DELAY)
    common.setup(timestep, min_delay, **extra_params)
    state = simulator.state
    state.end()
    state.clear()
    state.dt = timestep
    state.min_delay_auto = min_delay == "auto"
    state.min_delay = timestep if min_delay == "auto" else min_delay
    state.max_delay = 65535 * timestep if max_delay == "auto" else max_delay
    state.seed = int(extra_params.get("rng_seed", extra_params.get("seed", 1)))
    state.threads = int(extra_params.get("threads", 1))
    state.keep_files = bool(extra_params.get("keep_files", False))
    return rank()


def end(compatible_output=True):
    """Write data requested with `to_file`, then remove the work directory."""
    for population, variables, filename in simulator.state.write_on_end:
        io = get_io(filename)
        population.write_data(io, variables)
    simulator.state.write_on_end = []
    simulator.state.end()


run, run_until = common.build_run(simulator)
run_for = run
reset = common.build_reset(simulator)
initialize = common.initialize
get_current_time, get_time_step, get_min_delay, get_max_delay, num_processes, rank = (
    common.build_state_queries(simulator))


def write_config(path, duration):
    """Write the network as an NDML config (`path`, with its connection lists beside it) for a run
    of `duration` ms from t = 0 with the current parameters — e.g. to export it to Loihi with
    `ndml export PATH --format lava -o DIR`. Returns the path."""
    from pathlib import Path

    from . import compiler

    state = simulator.state
    path = Path(path).resolve()
    path.parent.mkdir(parents=True, exist_ok=True)
    saved = (state.t, state.boundaries, state.snapshots)
    try:
        state.t, state.boundaries, state.snapshots = float(duration), [0.0], [state._snapshot()]
        config, _ = compiler.build_config(state, path.parent, prefix=path.stem + "_")
    finally:
        state.t, state.boundaries, state.snapshots = saved
    config["simulation"]["duration_ms"] = float(duration)
    config["output"]["path"] = str(path.with_suffix(".h5"))
    compiler.write_yaml(config, path)
    return path
