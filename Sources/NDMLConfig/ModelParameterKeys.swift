import NDMLModel

/// Config keys of each neuron model's `params:` mapping, bound to the parameter record's fields.
///
/// One table per model; the tables are the single source of the key names (docs list the same).
enum ModelParameterKeys {
  /// The text-valued key of `lif_cuba`, `lif_coba` and `adex` choosing the ``SynapseShape``.
  static let synapseShape = "synapse_shape"
  /// The text-valued key of `adex` choosing the ``AdExSynapseType``.
  static let synapseType = "synapse_type"

  static var lifCuba: [(key: String, field: WritableKeyPath<LIFCubaParameters, Double>)] {
    [
      ("tau_m_ms", \.tauMembraneMs), ("tau_syn_e_ms", \.tauSynapticExcitatoryMs),
      ("tau_syn_i_ms", \.tauSynapticInhibitoryMs), ("v_rest_mV", \.restingPotentialMV),
      ("v_thresh_mV", \.thresholdMV), ("v_reset_mV", \.resetMV), ("tau_ref_ms", \.refractoryMs),
      ("c_m_pF", \.capacitancePF), ("i_bias_pA", \.biasCurrentPA),
    ]
  }

  static var lifCoba: [(key: String, field: WritableKeyPath<LIFCobaParameters, Double>)] {
    [
      ("c_m_pF", \.capacitancePF), ("g_leak_nS", \.leakConductanceNS),
      ("v_rest_mV", \.restingPotentialMV), ("e_rev_e_mV", \.excitatoryReversalMV),
      ("e_rev_i_mV", \.inhibitoryReversalMV), ("tau_syn_e_ms", \.tauSynapticExcitatoryMs),
      ("tau_syn_i_ms", \.tauSynapticInhibitoryMs), ("v_thresh_mV", \.thresholdMV),
      ("v_reset_mV", \.resetMV), ("tau_ref_ms", \.refractoryMs), ("i_bias_pA", \.biasCurrentPA),
    ]
  }

  /// Keys of `alif` (those of `lif_cuba` plus the adaptation).
  static var alif: [(key: String, field: WritableKeyPath<ALIFParameters, Double>)] {
    [
      ("tau_m_ms", \.tauMembraneMs), ("tau_syn_e_ms", \.tauSynapticExcitatoryMs),
      ("tau_syn_i_ms", \.tauSynapticInhibitoryMs), ("v_rest_mV", \.restingPotentialMV),
      ("v_thresh_mV", \.thresholdMV), ("v_reset_mV", \.resetMV), ("tau_ref_ms", \.refractoryMs),
      ("c_m_pF", \.capacitancePF), ("i_bias_pA", \.biasCurrentPA), ("beta_mV", \.thresholdIncrementMV),
      ("tau_a_ms", \.tauAdaptationMs), ("b_pA", \.currentIncrementPA), ("tau_w_ms", \.tauCurrentMs),
    ]
  }

  /// Keys of `adex`.
  static var adex: [(key: String, field: WritableKeyPath<AdExParameters, Double>)] {
    [
      ("c_m_pF", \.capacitancePF), ("g_leak_nS", \.leakConductanceNS), ("v_rest_mV", \.restingPotentialMV),
      ("v_t_mV", \.exponentialThresholdMV), ("delta_t_mV", \.slopeFactorMV), ("v_peak_mV", \.peakMV),
      ("v_reset_mV", \.resetMV), ("a_nS", \.subthresholdAdaptationNS), ("tau_w_ms", \.tauAdaptationMs),
      ("b_pA", \.spikeAdaptationPA), ("tau_ref_ms", \.refractoryMs), ("tau_syn_e_ms", \.tauSynapticExcitatoryMs),
      ("tau_syn_i_ms", \.tauSynapticInhibitoryMs), ("i_bias_pA", \.biasCurrentPA),
    ]
  }

  /// Keys of `adex` that apply only with `synapse_type: conductance`.
  static var adexConductance: [(key: String, field: WritableKeyPath<AdExParameters, Double>)] {
    [("e_rev_e_mV", \.excitatoryReversalMV), ("e_rev_i_mV", \.inhibitoryReversalMV)]
  }

  /// Keys of `place_cells`.
  static var placeCells: [(key: String, field: WritableKeyPath<PlaceCellParameters, Double>)] {
    [
      ("track_length_cm", \.trackLengthCm), ("speed_cm_per_s", \.speedCmPerS), ("start_cm", \.startCm),
      ("peak_rate_Hz", \.peakRateHz), ("field_sd_cm", \.fieldSDCm),
    ]
  }

  /// Keys of `pair_stdp` (bounds carry the weight unit of the projection's target).
  static func pairSTDP(unit: String) -> [(key: String, field: WritableKeyPath<PairSTDPParameters, Double>)] {
    [
      ("tau_plus_ms", \.tauPlusMs), ("tau_minus_ms", \.tauMinusMs), ("a_plus", \.aPlus), ("a_minus", \.aMinus),
      ("w_min_\(unit)", \.weightMin), ("w_max_\(unit)", \.weightMax), ("mu", \.mu),
      ("mu_plus", \.muPlus), ("mu_minus", \.muMinus), ("dendritic_delay_fraction", \.dendriticDelayFraction),
    ]
  }

  /// Keys of `triplet_stdp` (bounds carry the weight unit of the projection's target).
  static func tripletSTDP(unit: String) -> [(key: String, field: WritableKeyPath<TripletSTDPParameters, Double>)] {
    [
      ("tau_plus_ms", \.tauPlusMs), ("tau_minus_ms", \.tauMinusMs), ("tau_x_ms", \.tauXMs), ("tau_y_ms", \.tauYMs),
      ("a2_plus", \.a2Plus), ("a3_plus", \.a3Plus), ("a2_minus", \.a2Minus), ("a3_minus", \.a3Minus),
      ("w_min_\(unit)", \.weightMin), ("w_max_\(unit)", \.weightMax),
    ]
  }

  /// Keys of `btsp_milstein` (bounds carry the weight unit of the projection's target).
  static func bidirectionalBTSP(unit: String)
    -> [(key: String, field: WritableKeyPath<BidirectionalBTSPParameters, Double>)]
  {
    [
      ("tau_eligibility_ms", \.tauEligibilityMs), ("tau_instructive_ms", \.tauInstructiveMs),
      ("k_plus_per_s", \.kPlusPerS), ("k_minus_per_s", \.kMinusPerS), ("theta_plus", \.thetaPlus),
      ("half_width_plus", \.halfWidthPlus), ("theta_minus", \.thetaMinus), ("half_width_minus", \.halfWidthMinus),
      ("eligibility_rate_Hz", \.eligibilityRateHz), ("w_min_\(unit)", \.weightMin), ("w_max_\(unit)", \.weightMax),
      ("update_interval_ms", \.updateIntervalMs),
    ]
  }

  /// Keys of `stc` (weights in mV: the rule needs a `lif_cuba` or `alif` target).
  static var taggingCapture: [(key: String, field: WritableKeyPath<TaggingCaptureParameters, Double>)] {
    [
      ("tau_c_ms", \.tauCalciumMs), ("c_pre", \.calciumPre), ("c_post", \.calciumPost),
      ("calcium_delay_ms", \.calciumDelayMs), ("tau_h_s", \.tauEarlyS), ("h0_mV", \.h0), ("h_max_mV", \.hMax),
      ("gamma_p", \.gammaP), ("gamma_d", \.gammaD), ("theta_p", \.thetaP), ("theta_d", \.thetaD),
      ("theta_tag_mV", \.thetaTag), ("theta_pro_mV", \.thetaPro), ("tau_p_s", \.tauProteinS), ("alpha", \.alpha),
      ("tau_z_s", \.tauLateS), ("f_int", \.fInt), ("sigma_mV", \.sigma),
    ]
  }

  /// Reads `params:` into a record that starts from the model's defaults.
  static func read<Record>(
    _ table: [(key: String, field: WritableKeyPath<Record, Double>)], into record: Record,
    from fields: Fields?
  ) -> Record {
    var record = record
    guard let fields else { return record }
    for (key, field) in table {
      if let v = fields.double(key) { record[keyPath: field] = v }
    }
    return record
  }
}
