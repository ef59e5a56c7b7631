/// The time course of a receptor's synaptic variable after one spike (`synapse_shape:` in the
/// `params` of `lif_cuba` and `lif_coba`).
///
/// A spike of weight `w` arriving at `t = 0` gives, with `τ` the receptor's `tau_syn_*_ms`:
/// - ``exponential``: `w·e^(−t/τ)` (a jump of `w`, then decay; PyNN's `IF_curr_exp`/`IF_cond_exp`);
/// - ``alpha``: `w·(t/τ)·e^(1−t/τ)`, rising from 0 to its peak `w` at `t = τ` (NEST's
///   `iaf_psc_alpha`/`iaf_cond_alpha`, PyNN's `IF_curr_alpha`/`IF_cond_alpha`).
///
/// The alpha function is integrated as two linear variables per receptor, `ds/dt = −s/τ + y`,
/// `dy/dt = −y/τ`, where a spike adds `w·e/τ` to `y`.
public enum SynapseShape: String, Sendable, Equatable, CaseIterable {
  /// A jump of the weight, then exponential decay (the default).
  case exponential
  /// The alpha function, peaking at the weight one time constant after arrival.
  case alpha
}
