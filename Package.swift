// swift-tools-version: 6.2
import PackageDescription

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "sluice", targets: ["sluice"]),
        .library(name: "SluiceCore", targets: ["SluiceCore"]),
        .library(name: "SluiceCSV", targets: ["SluiceCSV"]),
        .library(name: "SluiceParquet", targets: ["SluiceParquet"]),
        .library(name: "SluicePostgres", targets: ["SluicePostgres"]),
        .library(name: "SluiceHTTP", targets: ["SluiceHTTP"]),
        .library(name: "SluiceEngine", targets: ["SluiceEngine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", pkgConfig: "sqlite3", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"])]),
        .target(name: "SluiceCore"),
        .target(name: "SluiceCSV", dependencies: ["SluiceCore", "CZlib"]),
        .target(name: "SluiceParquet", dependencies: ["SluiceCore", "CZlib", "CZstd", "CSnappy", "CLZ4"]),
        .target(
            name: "SluicePostgres",
            dependencies: [
                "SluiceCore", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SluiceHTTP",
            dependencies: [
                "SluiceCore", "SluiceCSV", "CZlib",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "SluiceEngine",
            dependencies: [
                "SluiceCore", "SluiceCSV", "SluiceParquet", "SluicePostgres", "SluiceHTTP", "CSQLite",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .executableTarget(
            name: "sluice",
            dependencies: ["SluiceEngine", "SluiceHTTP", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "SluiceCoreTests", dependencies: ["SluiceCore"]),
        .testTarget(name: "SluiceCSVTests", dependencies: ["SluiceCSV"]),
        .testTarget(name: "SluiceParquetTests", dependencies: ["SluiceParquet"], exclude: ["Fixtures"]),
        .testTarget(
            name: "SluicePostgresTests",
            dependencies: ["SluicePostgres", .product(name: "NIOPosix", package: "swift-nio")]),
        .testTarget(name: "SluiceHTTPTests", dependencies: ["SluiceHTTP"]),
        .testTarget(name: "SluiceEngineTests", dependencies: ["SluiceEngine"]),
    ],
    swiftLanguageModes: [.v6]
)
