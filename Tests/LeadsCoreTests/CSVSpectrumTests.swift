import Foundation
import Testing
@testable import LeadsCore

/// maxogden/csv-spectrum 1.0.0 (BSD-2-Clause), copied byte-exact into Fixtures so a clean
/// clone has it.
@Suite struct CSVSpectrumTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/csv-spectrum")

    static let names = [
        "comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines",
        "newlines_crlf", "quotes_and_newlines", "simple", "simple_crlf", "utf8",
    ]

    @Test func fixturesArePresentAndComplete() throws {
        for (folder, fileExtension) in [("csvs", "csv"), ("json", "json")] {
            let files = try FileManager.default.contentsOfDirectory(
                atPath: Self.directory.appendingPathComponent(folder).path)
            #expect(Set(files) == Set(Self.names.map { "\($0).\(fileExtension)" }))
        }
    }

    @Test(arguments: names) func readerMatchesExpectedJSON(name: String) throws {
        let csv = try Data(contentsOf: Self.directory.appendingPathComponent("csvs/\(name).csv"))
        let json = try Data(contentsOf: Self.directory.appendingPathComponent("json/\(name).json"))
        let expected = try #require(JSONSerialization.jsonObject(with: json) as? [[String: String]])

        let outcome = parse([UInt8](csv))
        #expect(outcome.error == nil)
        let header = try #require(outcome.records.first).fields
        let rows = outcome.records.dropFirst().map { record in
            Dictionary(uniqueKeysWithValues: zip(header, record.fields))
        }
        #expect(outcome.records.dropFirst().allSatisfy { $0.fields.count == header.count })
        #expect(rows == expected)
        // String equality ignores nothing here, but CRLF inside a cell must survive as bytes.
        #expect(rows.map { $0.mapValues { Array($0.utf8) } }
                == expected.map { $0.mapValues { Array($0.utf8) } })
    }
}
