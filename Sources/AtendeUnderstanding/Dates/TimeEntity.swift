import Foundation

/// How precise a found time is: "hoje" is a day, "às 15h" an hour, "15:30" a minute.
public enum TimeGrain: String, Sendable, CaseIterable, Comparable {
    case second, minute, hour, day, week, month, quarter, year

    var rank: Int {
        switch self {
        case .second: 0
        case .minute: 1
        case .hour: 2
        case .day: 3
        case .week: 4
        case .month: 5
        case .quarter: 6
        case .year: 7
        }
    }

    public static func < (lhs: TimeGrain, rhs: TimeGrain) -> Bool { lhs.rank < rhs.rank }

    /// The grain Duckling reports for "in <n> <unit>" and "<n> <unit> ago": one step finer than the
    /// unit, so "in 2 hours" keeps its minutes and "in 2 months" its day.
    var finerForShift: TimeGrain {
        switch self {
        case .second, .minute: .second
        case .hour: .minute
        case .day: .hour
        case .week, .month: .day
        case .quarter, .year: .month
        }
    }
}

/// A date or time found in a message.
public struct TimeEntity: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case instant(Date)
        /// `to` is exclusive, one grain past the last unit ("13 a 15 de julho" ends on the 16th);
        /// an open interval ("depois das 15h", "antes do meio-dia") has one side nil.
        case interval(from: Date?, to: Date?)
    }

    public var value: Value
    public var grain: TimeGrain
    /// Offsets in Unicode scalars into the text, as Python's `str` indexing counts.
    public var range: Range<Int>

    public init(value: Value, grain: TimeGrain, range: Range<Int>) {
        self.value = value
        self.grain = grain
        self.range = range
    }
}

/// ISO-8601 text with milliseconds and the zone's offset at that instant, as Duckling prints it:
/// `2013-02-13T20:00:00.000-02:00`.
public enum ISO8601Text {
    public static func string(_ date: Date, in timeZone: TimeZone) -> String {
        let offset = timeZone.secondsFromGMT(for: date)
        let shifted = date.timeIntervalSince1970 + Double(offset)
        let wholeSeconds = Int(shifted.rounded(.down))
        let milliseconds = min(999, Int(((shifted - Double(wholeSeconds)) * 1000).rounded()))
        let local = LocalDateTime(secondsSinceEpoch: wholeSeconds)
        var text = ""
        text += local.year < 0 ? "-" + pad(-local.year, 4) : pad(local.year, 4)
        text += "-" + pad(local.month, 2) + "-" + pad(local.day, 2)
        text += "T" + pad(local.hour, 2) + ":" + pad(local.minute, 2) + ":" + pad(local.second, 2)
        text += "." + pad(milliseconds, 3)
        text += offset < 0 ? "-" : "+"
        text += pad(abs(offset) / 3600, 2) + ":" + pad(abs(offset) % 3600 / 60, 2)
        return text
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
