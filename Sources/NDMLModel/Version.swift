/// The NDML release, stored in every results file.
public enum NDMLVersion {
  /// Semantic version of this build.
  public static let current = "0.1.0"
}
