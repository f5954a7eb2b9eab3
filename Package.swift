// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by design: the toolchain's standard library, Glibc and
// Dispatch are all the product uses; tests add Foundation and Swift Testing.
// The end-to-end tests run the `leads` binary thousands of times (concurrency, kill and
// import tests). An unoptimised build made them five times slower, so the product's
// targets are optimised in debug builds too; the test targets are not.
let optimised: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "leads",
    products: [
        .executable(name: "leads", targets: ["leads"]),
    ],
    targets: [
        // Model, store, lock, log, JSON, CSV, money, dates, reports. Never prints, never exits.
        .target(name: "LeadsCore", swiftSettings: optimised),
        // Command table, parser, commands, rendering, doc generators, error rendering.
        .target(name: "LeadsCLI", dependencies: ["LeadsCore"], swiftSettings: optimised),
        .executableTarget(name: "leads", dependencies: ["LeadsCLI"], swiftSettings: optimised),
        // The benchmark (Docs/performance.md). It runs the `leads` binary as a user does and
        // links none of the product's code; Foundation is fine here.
        .executableTarget(name: "leads-bench", path: "Sources/leads-bench"),
        // Helpers shared by the test targets (a seeded generator).
        .target(name: "LeadsTestSupport", path: "Tests/LeadsTestSupport"),
        .testTarget(name: "LeadsCoreTests", dependencies: ["LeadsCore", "LeadsTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "LeadsCLITests", dependencies: ["LeadsCLI"]),
        // The benchmark's generated update rounds (HistoryPlan): deterministic, each row
        // matching its lead, cells the importer reads. No test asserts a timing.
        .testTarget(name: "LeadsBenchTests", dependencies: ["leads-bench"]),
        // Runs the built `leads` binary; depends on it so `swift test` builds it first.
        .testTarget(name: "EndToEndTests", dependencies: ["leads", "LeadsCLI", "LeadsCore", "LeadsTestSupport"], exclude: ["Golden", "Fixtures"]),
    ]
)
