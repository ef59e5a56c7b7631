/// A process with its own coarse clock (homeostatic scaling, consolidation): the engine advances it
/// every ``clockSteps`` steps, at the start of the step, by thread 0 while the other threads wait —
/// so it may change any weight. Between ticks its linear parts are solved exactly by the process
/// itself; what it needs from the fast network (spikes) it collects event by event.
protocol SlowProcess: Checkpointable {
  /// The process's name in messages and checkpoints.
  var name: String { get }
  /// Steps between ticks (≥ 1).
  var clockSteps: Int { get }
  /// Advances the slow state over `[t_last, t_n]`, `n` a multiple of ``clockSteps``; every event of
  /// the steps before `n` has been seen.
  func tick(atStep n: Int)
  /// Advances the remainder at the end of the run (`n` need not be a multiple of the clock).
  func finish(atStep n: Int)
}

/// Something that sees a population's spikes: called once per step with the step's spikes of the
/// population, every thread's, in neuron order (thread 0 only).
protocol SpikeObserver: AnyObject {
  /// The population's spikes stamped `step`.
  func observe(_ indices: UnsafePointer<Int32>, count: Int, step: Int)
}

/// A slow process that needs a population's spikes.
protocol SpikeObservingProcess: SlowProcess, SpikeObserver {
  /// Index of the population whose spikes the process observes.
  var observedPopulation: Int { get }
}

/// Several observers of one population, called in order.
final class SpikeObserverFanOut: SpikeObserver {
  private let observers: [any SpikeObserver]

  init(_ observers: [any SpikeObserver]) { self.observers = observers }

  func observe(_ indices: UnsafePointer<Int32>, count: Int, step: Int) {
    for o in observers { o.observe(indices, count: count, step: step) }
  }
}
