"""Writes the inputs of experiments/tagging_capture.yaml (deterministic; run from anywhere):
datasets/tagging_capture_spikes.csv (neuron,time_ms) and datasets/tagging_capture_connections.csv
(source,target,weight). Four groups of GROUP input neurons, each a regular 100 Hz train (the mean
train of the authors' 100 Hz Poisson protocols), neuron k of a group shifted by 2.4·k ms:
  inputs 0–3   STET: 1 s at 100 Hz, at 3600, 4200 and 4800 s       -> cells 0–3
  inputs 4–7   WTET: 0.2 s at 100 Hz, at 3600 s                      -> cells 4–7
  inputs 8–11  STET as above (the strong pathway)                    -> cells 8–11
  inputs 12–15 WTET at 5400 s (weak pathway, 30 min after the first strong train) -> cells 8–11
Every synapse starts at h0 = 4.20075 mV.
"""
from pathlib import Path

GROUP = 4
H0 = 4.20075
STET = [(3_600_000.0, 100), (4_200_000.0, 100), (4_800_000.0, 100)]
WTET = [(3_600_000.0, 20)]
WEAK = [(5_400_000.0, 20)]


def trains(first, windows):
    rows = []
    for k in range(GROUP):
        for start, count in windows:
            rows += [(first + k, round(start + 2.4 * k + 10.0 * m, 3)) for m in range(count)]
    return rows


def main(root=Path(__file__).resolve().parents[1]):
    spikes = trains(0, STET) + trains(GROUP, WTET) + trains(2 * GROUP, STET) + trains(3 * GROUP, WEAK)
    data = root / "datasets"
    data.mkdir(exist_ok=True)
    with open(data / "tagging_capture_spikes.csv", "w") as f:
        f.write("neuron,time_ms\n")
        f.writelines(f"{n},{t:.1f}\n" for n, t in spikes)
    with open(data / "tagging_capture_connections.csv", "w") as f:
        f.write("source,target,weight\n")
        f.writelines(f"{k},{k},{H0}\n" for k in range(3 * GROUP))
        f.writelines(f"{3 * GROUP + k},{2 * GROUP + k},{H0}\n" for k in range(GROUP))


if __name__ == "__main__":
    main()
