import AtendeAdapters
import AtendeCore
import AtendeTestSupport
import Foundation
import Testing

/// Every `adapters/fixtures/<adapter>/<name>.json` that has a `<name>.expected.json` next to it is
/// mapped by `adapters/<adapter>.yaml` and must give exactly the expected events (or an ignore
/// whose reason contains the expected text). A new adapter with fixtures needs no new test code.
@Suite struct AdapterFixtureTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var adapter: String
        var payload: String
        var expected: String
        var testDescription: String { "\(adapter)/\((payload as NSString).lastPathComponent)" }
    }

    static let cases: [Case] = {
        let root = Repository.adapters + "/fixtures"
        let adapters = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return adapters.sorted().flatMap { adapter -> [Case] in
            let files = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(adapter)")) ?? []
            return files.sorted().filter { $0.hasSuffix(".expected.json") }.map { expected in
                let payload = String(expected.dropLast(".expected.json".count)) + ".json"
                return Case(adapter: adapter, payload: "\(root)/\(adapter)/\(payload)", expected: "\(root)/\(adapter)/\(expected)")
            }
        }
    }()

    @Test func everyAdapterHasFixtures() throws {
        let definitions = try FileManager.default.contentsOfDirectory(atPath: Repository.adapters).filter { $0.hasSuffix(".yaml") }
        for file in definitions {
            let adapter = String(file.dropLast(".yaml".count))
            #expect(Self.cases.contains { $0.adapter == adapter }, "adapters/\(file) has no fixtures with .expected.json")
        }
    }

    @Test(arguments: cases) func fixtureMapsToExpectedEvents(_ fixture: Case) throws {
        let definition = try AdapterDefinition.load(file: "\(Repository.adapters)/\(fixture.adapter).yaml")
        let expected = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.expected)))), "expected file is not JSON")
        let payload = try #require(JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: fixture.payload)))), "fixture is not JSON")
        let answersGroups = expected.value(at: "groups")?.scalarText == "answer"
        let channel = Channel(id: "fixture", definition: definition, settings: [:], answersGroups: answersGroups)
        let actual = NormalizedEvents.json(channel.map(payload))
        if let reason = expected.value(at: "ignored")?.scalarText {
            let actualReason = try #require(actual.value(at: "ignored")?.scalarText, "expected an ignore, got \(actual.encodedString())")
            #expect(actualReason.contains(reason), "ignore reason '\(actualReason)' does not mention '\(reason)'")
        } else {
            #expect(actual.value(at: "events") == expected.value(at: "events"), "got \(actual.encodedString(prettyPrinted: true))")
        }
    }
}
