"""NDML backend for PyNN: `import pynn_ndml as sim` (also registered as `pyNN.ndml`).

PyNN calls describe the network; each `run()` writes an NDML config (explicit connection lists,
per-neuron values, a schedule of the changes made between runs), runs the `ndml` executable and
reads its HDF5 results back into Neo. See docs/pynn.md in the NDML repository.
"""

import sys

import pyNN

from pyNN import errors, random, space  # noqa: F401
from pyNN.network import Network  # noqa: F401
from pyNN.space import Space  # noqa: F401
from pyNN.random import NumpyRNG, GSLRNG, RandomDistribution  # noqa: F401
from pyNN.connectors import *  # noqa: F401,F403
from pyNN.recording import *  # noqa: F401,F403
from pyNN.standardmodels import StandardCellType

from .standardmodels import *  # noqa: F401,F403
from .populations import Population, PopulationView, Assembly  # noqa: F401
from .projections import Projection  # noqa: F401
from .control import (  # noqa: F401
    setup, end, run, run_until, run_for, reset, initialize, get_current_time, get_time_step,
    get_min_delay, get_max_delay, num_processes, rank, write_config,
)
from .procedural_api import create, connect, record, record_v, record_gsyn  # noqa: F401
from .simulator import NDMLError  # noqa: F401

sys.modules.setdefault("pyNN.ndml", sys.modules[__name__])
pyNN.ndml = sys.modules[__name__]


def list_standard_models():
    """The StandardCellType classes this backend runs."""
    return [obj.__name__ for obj in globals().values()
            if isinstance(obj, type) and issubclass(obj, StandardCellType)
            and hasattr(obj, "ndml_model")]
