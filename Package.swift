// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "NDML",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "ndml", targets: ["ndml"]),
    .library(name: "NDMLModel", targets: ["NDMLModel"]),
    .library(name: "NDMLEngine", targets: ["NDMLEngine"]),
    .library(name: "NDMLResults", targets: ["NDMLResults"]),
    .library(name: "NDMLConfig", targets: ["NDMLConfig"]),
    .library(name: "NDMLAnalysis", targets: ["NDMLAnalysis"]),
    .library(name: "NDMLLoihi", targets: ["NDMLLoihi"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    // API reference (`make docs`): the DocC plugin only, nothing links against it.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // MARK: System libraries (pkg-config finds them on Linux and Homebrew)
    .systemLibrary(
      name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5",
      providers: [.apt(["libhdf5-dev"]), .brew(["hdf5"])]),
    // Open MPI for distributed runs (`mpirun -np K ndml run`); only the executable links it.
    .systemLibrary(
      name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c",
      providers: [.apt(["libopenmpi-dev", "openmpi-bin"]), .brew(["open-mpi"])]),
    .systemLibrary(
      name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
      providers: [.apt(["libopenblas-dev"]), .brew(["openblas"])]),

    // MARK: Modules, bottom to top
    .target(name: "NDMLHDF5", dependencies: ["CHDF5"]),
    .target(name: "NDMLModel"),
    .target(
      name: "NDMLConfig",
      dependencies: ["NDMLModel", "NDMLHDF5", .product(name: "Yams", package: "Yams")]),
    // C11 atomics for the engine's barrier (the Synchronization module needs macOS 15).
    .target(name: "CNDMLThreads"),
    .target(name: "NDMLEngine", dependencies: ["NDMLModel", "CNDMLThreads"]),
    .target(name: "NDMLResults", dependencies: ["NDMLHDF5", "NDMLModel", "NDMLAnalysis"]),
    .target(name: "NDMLLoihi", dependencies: ["NDMLModel", "NDMLEngine", "NDMLHDF5"]),
    .target(name: "NDMLAnalysis", dependencies: ["CBLAS"]),
    .target(name: "NDMLPlot"),
    .executableTarget(
      name: "ndml",
      dependencies: [
        "NDMLModel", "NDMLConfig", "NDMLEngine", "NDMLResults", "NDMLHDF5", "NDMLAnalysis", "NDMLPlot", "NDMLLoihi",
        "CMPI",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),

    // MARK: Tests
    .testTarget(name: "NDMLHDF5Tests", dependencies: ["NDMLHDF5", "CBLAS"]),
    .testTarget(name: "NDMLModelTests", dependencies: ["NDMLModel"]),
    .testTarget(name: "NDMLConfigTests", dependencies: ["NDMLConfig", "NDMLModel"]),
    .testTarget(name: "NDMLEngineTests", dependencies: ["NDMLEngine", "NDMLModel", "NDMLConfig"]),
    .testTarget(name: "NDMLAnalysisTests", dependencies: ["NDMLAnalysis"]),
    .testTarget(name: "NDMLPlotTests", dependencies: ["NDMLPlot"]),
    .testTarget(
      name: "NDMLResultsTests", dependencies: ["NDMLResults", "NDMLHDF5", "NDMLModel"]),
  ]
)
