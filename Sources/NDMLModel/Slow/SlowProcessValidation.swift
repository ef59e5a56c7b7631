import Foundation

extension Experiment {
  /// The rules of the slow processes: timescales in order, clocks on the step grid, homeostasis on
  /// neuron populations and their excitatory, non-binary projections.
  func validateSlowProcesses() -> [ExperimentIssue] {
    var issues = timescales.violations().map { ExperimentIssue(keyPath: "timescales." + $0.key, message: $0.message) }
    let dt = simulation.dtMs
    for pop in populations {
      guard let h = pop.homeostasis else { continue }
      let path = "populations.\(pop.name).homeostasis"
      func add(_ key: String, _ message: String, warning: Bool = false) {
        issues.append(
          ExperimentIssue(keyPath: path + (key.isEmpty ? "" : "." + key), message: message, isWarning: warning))
      }
      for v in h.violations() { add(v.key, v.message) }
      let clockProblems = h.clock.violations(timescales: timescales, dtMs: dt)
      for v in clockProblems { add(v.key, v.message) }
      if pop.model.isSource {
        add("", "\(pop.name) is a \(pop.model.configName) population: it has no synapses to scale")
        continue
      }
      if case .loihiCuba = pop.model {
        add("", "loihi_cuba weights are integers fixed on the chip; homeostatic scaling needs a float model")
        continue
      }
      let incoming = projections.filter { $0.target == pop.name }
      for name in h.projections {
        guard let proj = projections.first(where: { $0.name == name }) else {
          add(
            "projections",
            "names projection '\(name)', which is not defined; defined: "
              + projections.map(\.name).joined(separator: ", "))
          continue
        }
        if proj.target != pop.name {
          add("projections", "\(name) targets \(proj.target), not \(pop.name)")
        } else if proj.receptor != .excitatory {
          add("projections", "\(name) is inhibitory; synaptic scaling applies to excitatory synapses")
        }
      }
      if Set(h.projections).count != h.projections.count { add("projections", "lists a projection twice") }
      let scaled = incoming.filter(h.scales)
      if scaled.isEmpty {
        add("projections", "no excitatory projection targets \(pop.name): there is nothing to scale")
      }
      for proj in scaled {
        if case .binaryBTSP = proj.plasticity {
          add(
            "projections",
            "\(proj.name) has binary btsp_binary synapses (on/off weights), which multiplicative scaling would break; "
              + "list the other projections under homeostasis.projections")
        }
      }
      if clockProblems.isEmpty, let period = h.clock.periodMs(in: timescales) {
        let factor = h.largestTickFactor(periodMs: period)
        if factor > 2 {
          add(
            h.clock == .named("homeostatic") ? "clock" : "clock_ms",
            "one tick (\(period) ms) can scale a silent neuron's weights by up to ×\(String(format: "%.3g", factor)) "
              + "(exp(β·ν_target·Δ)); a clock this coarse for β = \(h.beta) may oscillate — use a shorter clock",
            warning: true)
        }
      }
    }
    for proj in projections {
      guard let c = proj.consolidation else { continue }
      let path = "projections.\(proj.name).consolidation"
      func add(_ key: String, _ message: String, warning: Bool = false) {
        issues.append(
          ExperimentIssue(keyPath: path + (key.isEmpty ? "" : "." + key), message: message, isWarning: warning))
      }
      let unit = population(named: proj.target)?.model.weightUnit ?? "mV"
      for v in c.violations() { add(v.key == "w_rest" ? "w_rest_\(unit)" : v.key, v.message) }
      let clockProblems = c.clock.violations(timescales: timescales, dtMs: dt)
      for v in clockProblems { add(v.key, v.message) }
      guard let rule = proj.plasticity else {
        add(
          "",
          "needs a plastic projection: the chain's first variable is the weight a plasticity rule writes "
            + "(add plasticity: or remove consolidation:)")
        continue
      }
      if case .binaryBTSP(let p) = rule, p.update == .flip {
        add(
          "",
          "cannot consolidate btsp_binary with update: flip, which compares weights with w_max; "
            + "use update: set_reset")
      }
      if let w = c.restingWeight, !rule.weightBounds.contains(w) {
        add("w_rest_\(unit)", "(\(w)) lies outside the rule's bounds \(rule.weightBounds)")
      }
      if clockProblems.isEmpty, let period = c.clock.periodMs(in: timescales), period > c.tauFastestMs {
        add(
          c.clock == .named("calcium") ? "clock" : "clock_ms",
          "(\(period) ms) is longer than tau_1_ms (\(c.tauFastestMs) ms): writes enter the chain up to one clock "
            + "period late; use a clock well below tau_1_ms",
          warning: true)
      }
    }
    return issues
  }
}
