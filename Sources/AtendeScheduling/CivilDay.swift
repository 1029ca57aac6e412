import Foundation

/// A date on the wall calendar, with no time or zone: a business day, a holiday, a closed day.
public struct CivilDay: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `2026-12-24`; `nil` for anything else, including days that do not exist.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day)
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The day an instant falls on in `timeZone`.
    public init(instant millis: Int64, in timeZone: TimeZone) {
        let seconds = Int(Self.floorDivide(millis, 1000))
        let local = seconds + timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        self.init(daysSinceEpoch: Int(Self.floorDivide(Int64(local), 86_400)))
    }

    init(daysSinceEpoch days: Int) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yoe + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)
    }

    var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// 1 = Monday … 7 = Sunday (ISO).
    public var weekday: Int {
        ((daysSinceEpoch + 3) % 7 + 7) % 7 + 1
    }

    public func adding(days: Int) -> CivilDay {
        CivilDay(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// Days from `self` to `other`.
    public func days(until other: CivilDay) -> Int {
        other.daysSinceEpoch - daysSinceEpoch
    }

    /// The instant of `minutes` past midnight of this day in `timeZone`. A time skipped by a
    /// daylight-saving change moves forward by the gap.
    public func instant(minutes: Int, in timeZone: TimeZone) -> Int64 {
        let naive = Int64(daysSinceEpoch) * 86_400 + Int64(minutes) * 60
        let firstGuess = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(naive)))
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(naive - Int64(firstGuess))))
        return (naive - Int64(offset)) * 1000
    }

    /// Midnight at the start of this day in `timeZone`.
    public func startMillis(in timeZone: TimeZone) -> Int64 {
        instant(minutes: 0, in: timeZone)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    public static func < (lhs: CivilDay, rhs: CivilDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    static func floorDivide(_ a: Int64, _ b: Int64) -> Int64 {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }
}
