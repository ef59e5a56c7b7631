/// Python shared by the generated Lava runners (`run_lava.py`, `run_netx.py`): writing Lava's
/// spikes in NDML's results layout, and comparing them with NDML's prediction. Inserted where a
/// template says `@SHARED@` (at the indentation of a top-level definition).
enum LavaRunnerShared {
  static let python = #"""
    def write_results(path, b, spikes, timing, backend, sizes):
        """NDML's results layout: SONATA spikes (times = Lava step x dt, the end of the step) + /ndml."""
        sorting = h5py.enum_dtype({"none": 0, "by_id": 1, "by_time": 2}, basetype="u1")
        strings = h5py.string_dtype()
        with h5py.File(path, "w") as f:
            for n in sorted(spikes):
                steps, ids = spikes[n]
                g = f.create_group(f"spikes/{n}")
                g.attrs.create("sorting", 2, dtype=sorting)
                f.create_dataset(f"spikes/{n}/timestamps", data=steps * b["dt_ms"]).attrs["units"] = "ms"
                f.create_dataset(f"spikes/{n}/node_ids", data=ids.astype(np.uint64))
            m = f.create_group("ndml")
            for key, value in [("version", b["version"]), ("backend", backend), ("status", "complete"),
                               ("precision", "int24 (Loihi 2)")]:
                m.attrs.create(key, value, dtype=strings)
            m.attrs["dt_ms"] = b["dt_ms"]
            m.attrs["duration_ms"] = b["steps"] * b["dt_ms"]
            m.attrs["wall_time_s"] = timing["run_s"]
            m.create_dataset("config", data=b["config"], dtype=strings)
            for n, size in sizes.items():
                g = m.create_group(f"populations/{n}")
                g.attrs["size"] = np.int64(size)
                g.attrs.create("model", "loihi_cuba", dtype=strings)


    def compare(spikes, prediction, names):
        """Prints Lava's and NDML's spike counts per population; 0 if every spike matches, else 1."""
        differ = []
        for n in names:
            lava = set(zip(*map(np.ndarray.tolist, spikes[n])))
            ndml = set(zip(*map(np.ndarray.tolist, prediction[n])))
            print(f"  {n}: {len(lava)} spikes in Lava, {len(ndml)} predicted by NDML"
                  + ("" if lava == ndml else f", {len(lava ^ ndml)} differ"))
            if lava != ndml:
                differ.append(n)
        if differ:
            print("Lava and NDML differ in " + ", ".join(differ), file=sys.stderr)
            return 1
        print("every spike matches NDML's prediction")
        return 0
    """#
}
