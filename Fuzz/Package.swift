// swift-tools-version:6.0
// libFuzzer harnesses for NDML's input parsers (not part of the main build: they need
// -sanitize=fuzzer). See Fuzz/README.md.
import PackageDescription

let package = Package(
  name: "NDMLFuzz",
  dependencies: [.package(path: "..")],
  targets: [
    .target(name: "FuzzSupport"),
    .executableTarget(
      name: "FuzzConfig", dependencies: ["FuzzSupport", .product(name: "NDMLConfig", package: "main")],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
    .executableTarget(
      name: "FuzzResults", dependencies: ["FuzzSupport", .product(name: "NDMLResults", package: "main")],
      swiftSettings: [.unsafeFlags(["-parse-as-library"])]),
  ]
)
