// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluiceCore", targets: ["SluiceCore"]),
        .library(name: "SluiceCSV", targets: ["SluiceCSV"]),
        .library(name: "SluiceEngine", targets: ["SluiceEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .target(name: "SluiceCore"),
        .target(name: "SluiceCSV", dependencies: ["SluiceCore", "CZlib"]),
        .target(
            name: "SluiceEngine",
            dependencies: ["SluiceCore", "SluiceCSV", "CSQLite", .product(name: "Yams", package: "Yams")]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: ["SluiceEngine", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"]),
        .testTarget(name: "SluiceCSVTests", dependencies: ["SluiceCSV"]),
        .testTarget(name: "SluiceEngineTests", dependencies: ["SluiceEngine"]),
    ],
    swiftLanguageModes: [.v6]
)
