import Foundation

/// How an extractor did on a corpus file in Duckling's JSON-lines format
/// (`shared/benchmarks/duckling-time/`): instants, intervals and negatives right out of total.
public struct DateCorpusReport: Sendable, Equatable {
    public struct Failure: Sendable, Equatable {
        public var text: String
        public var expected: String
        public var found: String
    }

    public var instantsRight = 0
    public var instants = 0
    public var intervalsRight = 0
    public var intervals = 0
    public var negativesRight = 0
    public var negatives = 0
    public var failures: [Failure] = []

    public init() {}

    /// One line per figure: "instants 230/240 = 95.8%".
    public var summary: String {
        var lines: [String] = []
        func line(_ name: String, _ right: Int, _ total: Int) {
            guard total > 0 else { return }
            lines.append("\(name) \(right)/\(total) = \(String(format: "%.1f", 100 * Double(right) / Double(total)))%")
        }
        line("instants", instantsRight, instants)
        line("intervals", intervalsRight, intervals)
        line("negatives", negativesRight, negatives)
        return lines.joined(separator: "\n")
    }
}

public enum DateCorpus {
    public enum Problem: Error, CustomStringConvertible {
        case badLine(Int, String)

        public var description: String {
            switch self {
            case let .badLine(line, reason): "line \(line): \(reason)"
            }
        }
    }

    /// Scores every line of a corpus file. A positive line is right when the longest entity found
    /// has the expected value (both ends for intervals) and grain; a negative line when nothing is
    /// found.
    public static func score(jsonLines: String, extractor: DateExtractor = DateExtractor()) throws -> DateCorpusReport {
        var report = DateCorpusReport()
        for (index, line) in jsonLines.split(separator: "\n", omittingEmptySubsequences: true).enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let text = object["text"] as? String, let kind = object["kind"] as? String,
                  let refText = object["ref"] as? String, let (reference, zone) = parseISO(refText) else {
                throw Problem.badLine(index + 1, "missing text, kind or ref")
            }
            let language = Language(hint: object["lang"] as? String)
            let entities = extractor.extract(from: text, reference: reference, timeZone: zone, language: language)
            let longest = entities.max { $0.range.count < $1.range.count }
            let found = longest.map { describe($0, zone) } ?? "nothing"
            switch kind {
            case "none":
                report.negatives += 1
                if entities.isEmpty { report.negativesRight += 1 } else { report.failures.append(.init(text: text, expected: "nothing", found: found)) }
            case "instant", "interval":
                let grain = object["grain"] as? String ?? ""
                let expected: String
                if kind == "instant" {
                    expected = "\(object["value"] as? String ?? "?") \(grain)"
                    report.instants += 1
                } else {
                    let value = object["value"] as? [String: Any] ?? [:]
                    expected = "\(value["from"] as? String ?? "nil") – \(value["to"] as? String ?? "nil") \(grain)"
                    report.intervals += 1
                }
                if found == expected {
                    if kind == "instant" { report.instantsRight += 1 } else { report.intervalsRight += 1 }
                } else {
                    report.failures.append(.init(text: text, expected: expected, found: found))
                }
            default:
                throw Problem.badLine(index + 1, "unknown kind \(kind)")
            }
        }
        return report
    }

    static func describe(_ entity: TimeEntity, _ zone: TimeZone) -> String {
        switch entity.value {
        case let .instant(date):
            return "\(ISO8601Text.string(date, in: zone)) \(entity.grain.rawValue)"
        case let .interval(from, to):
            let start = from.map { ISO8601Text.string($0, in: zone) } ?? "nil"
            let end = to.map { ISO8601Text.string($0, in: zone) } ?? "nil"
            return "\(start) – \(end) \(entity.grain.rawValue)"
        }
    }

    /// Reads "2013-02-12T04:30:00.000-02:00" into the instant and a fixed-offset zone.
    static func parseISO(_ text: String) -> (Date, TimeZone)? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 29 else { return nil }
        func value(_ range: Range<Int>) -> Int? {
            var result = 0
            for byte in bytes[range] {
                guard byte >= 48 && byte <= 57 else { return nil }
                result = result * 10 + Int(byte - 48)
            }
            return result
        }
        guard let year = value(0..<4), let month = value(5..<7), let day = value(8..<10), let hour = value(11..<13),
              let minute = value(14..<16), let second = value(17..<19), let offsetHours = value(24..<26), let offsetMinutes = value(27..<29)
        else { return nil }
        let sign = bytes[23] == UInt8(ascii: "-") ? -1 : 1
        let offset = sign * (offsetHours * 3600 + offsetMinutes * 60)
        guard let zone = TimeZone(secondsFromGMT: offset) else { return nil }
        let local = LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        return (local.instant(atUTCOffset: offset), zone)
    }
}
