// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by design: the toolchain's standard library, Glibc and
// Dispatch are all the product uses; tests add Foundation and Swift Testing.
let package = Package(
    name: "leads",
    products: [
        .executable(name: "leads", targets: ["leads"]),
    ],
    targets: [
        // Model, store, lock, log, JSON, CSV, money, dates, reports. Never prints, never exits.
        .target(name: "LeadsCore"),
        // Command table, parser, commands, rendering, doc generators, error rendering.
        .target(name: "LeadsCLI", dependencies: ["LeadsCore"]),
        .executableTarget(name: "leads", dependencies: ["LeadsCLI"]),
        .testTarget(name: "LeadsCoreTests", dependencies: ["LeadsCore"], exclude: ["Fixtures"]),
        .testTarget(name: "LeadsCLITests", dependencies: ["LeadsCLI"]),
        // Runs the built `leads` binary; depends on it so `swift test` builds it first.
        .testTarget(name: "EndToEndTests", dependencies: ["leads", "LeadsCore"]),
    ]
)
