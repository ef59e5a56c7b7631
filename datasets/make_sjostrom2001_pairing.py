"""Writes the spike trains of experiments/triplet_sjostrom2001.yaml (run from the repository root).

The pairing protocol of Sjöström, Turrigiano & Nelson (2001), as fitted by Pfister & Gerstner
(2006): 60 pairings of one presynaptic and one postsynaptic spike at pairing frequencies
0.1, 10, 20, 40 and 50 Hz, with Δt = t_post − t_arrival = +10 ms (pre before post) and −10 ms
(post before pre). Neuron 2·f + o is frequency index f, order o (0: +10 ms, 1: −10 ms).

* sjostrom2001_pairing_pre.csv: presynaptic spike emission times (the plastic projection adds
  its 1 ms delay, so arrivals are 1 ms later);
* sjostrom2001_pairing_kick.csv: times of the 30 mV kicks that make each postsynaptic neuron fire
  exactly 0.2 ms later (kick delay 0.1 ms, spike stamped at the end of the next 0.1 ms step).
"""

FREQUENCIES_HZ = [0.1, 10, 20, 40, 50]
PAIRINGS = 60
START_MS = 100.0
DELAY_MS = 1.0
KICK_LEAD_MS = 0.2
DT_MS = [10.0, -10.0]


def main() -> None:
    pre, kick = [], []
    for f, rate in enumerate(FREQUENCIES_HZ):
        period = 1000.0 / rate
        for o, dt in enumerate(DT_MS):
            neuron = 2 * f + o
            for k in range(PAIRINGS):
                t_pre = START_MS + 20.0 + k * period  # 20 ms margin for the post-before-pre order
                t_post = t_pre + DELAY_MS + dt
                pre.append((neuron, t_pre))
                kick.append((neuron, t_post - KICK_LEAD_MS))
    for name, rows in [("pre", pre), ("kick", kick)]:
        with open(f"datasets/sjostrom2001_pairing_{name}.csv", "w") as out:
            out.write("neuron,time_ms\n")
            for neuron, t in sorted(rows):
                out.write(f"{neuron},{t:.1f}\n")


if __name__ == "__main__":
    main()
