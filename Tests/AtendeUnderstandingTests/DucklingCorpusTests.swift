import AtendeUnderstanding
import Foundation
import Testing

/// Duckling's own time corpus (BSD licence, see Fixtures/duckling-time/README.md), scored with
/// `DateCorpus`. The thresholds fail the build if accuracy drops.
struct DucklingCorpusTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/duckling-time")

    static func report(_ file: String) throws -> DateCorpusReport {
        let text = try String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8)
        let report = try DateCorpus.score(jsonLines: text)
        print("\(file)\n\(report.summary)")
        return report
    }

    static func ratio(_ right: Int, _ total: Int) -> Double { total == 0 ? 0 : Double(right) / Double(total) }

    @Test func portuguese() throws {
        let report = try Self.report("pt.jsonl")
        #expect(report.instants == 240 && report.intervals == 117)
        #expect(Self.ratio(report.instantsRight, report.instants) >= 0.95, "\(report.summary)")
        #expect(Self.ratio(report.intervalsRight, report.intervals) >= 0.95, "\(report.summary)")
    }

    @Test func english() throws {
        let report = try Self.report("en.jsonl")
        #expect(report.instants == 728 && report.intervals == 277)
        #expect(Self.ratio(report.instantsRight, report.instants) >= 0.85, "\(report.summary)")
        #expect(Self.ratio(report.intervalsRight, report.intervals) >= 0.90, "\(report.summary)")
    }

    @Test(arguments: ["pt-negative.jsonl", "en-negative.jsonl"])
    func negatives(_ file: String) throws {
        let report = try Self.report(file)
        #expect(report.negatives > 0)
        #expect(report.negativesRight == report.negatives, "\(report.failures.map(\.text))")
    }
}
