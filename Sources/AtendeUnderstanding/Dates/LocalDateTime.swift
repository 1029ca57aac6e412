import Foundation

/// A wall-clock date and time with no zone, and the calendar arithmetic the grammar needs.
/// Civil-day conversions follow Howard Hinnant's `days_from_civil`, so the hot path never builds a
/// `Calendar`; only the final conversion to `Date` asks the `TimeZone` for its offset.
struct LocalDateTime: Sendable, Hashable, Comparable {
    var year: Int
    var month: Int
    var day: Int
    var hour = 0
    var minute = 0
    var second = 0

    init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
    }

    init(days: Int) {
        let (year, month, day) = Self.civil(fromDays: days)
        self.init(year: year, month: month, day: day)
    }

    init(secondsSinceEpoch seconds: Int) {
        let days = Self.floorDivide(seconds, 86_400)
        let rest = seconds - days * 86_400
        self.init(days: days)
        hour = rest / 3600
        minute = rest % 3600 / 60
        second = rest % 60
    }

    /// The wall-clock time of `date` in `timeZone`.
    init(_ date: Date, in timeZone: TimeZone) {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        self.init(secondsSinceEpoch: seconds)
    }

    var days: Int { Self.days(year: year, month: month, day: day) }
    var secondsSinceEpoch: Int { days * 86_400 + hour * 3600 + minute * 60 + second }
    /// 1 = Monday … 7 = Sunday (ISO).
    var weekday: Int { Self.floorModulo(days + 3, 7) + 1 }
    var date: LocalDateTime { LocalDateTime(year: year, month: month, day: day) }

    static func < (lhs: LocalDateTime, rhs: LocalDateTime) -> Bool { lhs.secondsSinceEpoch < rhs.secondsSinceEpoch }

    /// The instant this wall-clock time names in `timeZone`. A time inside a DST gap moves forward
    /// by the gap, as `Calendar` does.
    func instant(in timeZone: TimeZone) -> Date {
        let naive = Double(secondsSinceEpoch)
        let firstGuess = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive))
        let offset = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - Double(firstGuess)))
        return Date(timeIntervalSince1970: naive - Double(offset))
    }

    func instant(atUTCOffset offset: Int) -> Date {
        Date(timeIntervalSince1970: Double(secondsSinceEpoch - offset))
    }

    func adding(days count: Int) -> LocalDateTime {
        var moved = LocalDateTime(days: days + count)
        moved.hour = hour
        moved.minute = minute
        moved.second = second
        return moved
    }

    func adding(months count: Int) -> LocalDateTime {
        let index = year * 12 + (month - 1) + count
        var moved = self
        moved.year = Self.floorDivide(index, 12)
        moved.month = Self.floorModulo(index, 12) + 1
        moved.day = min(day, Self.daysIn(month: moved.month, year: moved.year))
        return moved
    }

    func adding(_ count: Int, _ grain: TimeGrain) -> LocalDateTime {
        switch grain {
        case .second: LocalDateTime(secondsSinceEpoch: secondsSinceEpoch + count)
        case .minute: LocalDateTime(secondsSinceEpoch: secondsSinceEpoch + count * 60)
        case .hour: LocalDateTime(secondsSinceEpoch: secondsSinceEpoch + count * 3600)
        case .day: adding(days: count)
        case .week: adding(days: count * 7)
        case .month: adding(months: count)
        case .quarter: adding(months: count * 3)
        case .year: adding(months: count * 12)
        }
    }

    /// The start of the unit containing this time; weeks start on Monday.
    func truncated(to grain: TimeGrain) -> LocalDateTime {
        switch grain {
        case .second: self
        case .minute: LocalDateTime(year: year, month: month, day: day, hour: hour, minute: minute)
        case .hour: LocalDateTime(year: year, month: month, day: day, hour: hour)
        case .day: date
        case .week: date.adding(days: 1 - weekday)
        case .month: LocalDateTime(year: year, month: month, day: 1)
        case .quarter: LocalDateTime(year: year, month: (month - 1) / 3 * 3 + 1, day: 1)
        case .year: LocalDateTime(year: year, month: 1, day: 1)
        }
    }

    func at(hour: Int, minute: Int = 0, second: Int = 0) -> LocalDateTime {
        var moved = date
        if hour >= 24 { moved = moved.adding(days: hour / 24) }
        moved.hour = hour % 24
        moved.minute = minute
        moved.second = second
        return moved
    }

    static func isValid(year: Int, month: Int, day: Int) -> Bool {
        (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = floorDivide(y, 400)
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * ((month + 9) % 12) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = floorDivide(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? a / b : -((-a + b - 1) / b) }
    static func floorModulo(_ a: Int, _ b: Int) -> Int { a - floorDivide(a, b) * b }

    /// The `n`th (1-based) `weekday` of a month; `n` = -1 is the last one.
    static func nthWeekday(_ n: Int, _ weekday: Int, month: Int, year: Int) -> LocalDateTime {
        if n > 0 {
            let first = LocalDateTime(year: year, month: month, day: 1)
            let offset = floorModulo(weekday - first.weekday, 7)
            return first.adding(days: offset + (n - 1) * 7)
        }
        let last = LocalDateTime(year: year, month: month, day: daysIn(month: month, year: year))
        let offset = floorModulo(last.weekday - weekday, 7)
        return last.adding(days: -offset + (n + 1) * 7)
    }
}
