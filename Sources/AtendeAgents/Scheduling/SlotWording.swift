import AtendeCore
import AtendeUnderstanding
import Foundation

/// How appointment times read in messages and on buttons, in the business's time zone:
/// "sexta, 27/11" and "10:00" in Portuguese, "Fri, Nov 27" and "10:00 AM" in English.
struct SlotWording {
    let language: Language
    let calendar: Calendar

    init(language: Language, timeZone: TimeZone) {
        self.language = language
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        self.calendar = calendar
    }

    static let portugueseWeekdays = ["domingo", "segunda", "terça", "quarta", "quinta", "sexta", "sábado"]
    static let englishWeekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    func parts(_ millis: Int64) -> DateComponents {
        calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: Date(timeIntervalSince1970: Double(millis) / 1000))
    }

    /// "sexta, 27/11" / "Friday, Nov 27".
    func date(_ millis: Int64) -> String {
        let p = parts(millis)
        let weekday = (p.weekday ?? 1) - 1
        switch language {
        case .pt: return "\(Self.portugueseWeekdays[weekday]), \(Self.two(p.day ?? 0))/\(Self.two(p.month ?? 0))"
        case .en: return "\(Self.englishWeekdays[weekday]), \(Self.englishMonths[(p.month ?? 1) - 1]) \(p.day ?? 0)"
        }
    }

    /// "10:00" / "10:00 AM".
    func time(_ millis: Int64) -> String {
        let p = parts(millis)
        let hour = p.hour ?? 0
        let minute = Self.two(p.minute ?? 0)
        switch language {
        case .pt: return "\(Self.two(hour)):\(minute)"
        case .en: return "\(hour % 12 == 0 ? 12 : hour % 12):\(minute) \(hour < 12 ? "AM" : "PM")"
        }
    }

    /// A button title short enough for every platform (WhatsApp allows 20 characters):
    /// "sex 27/11 10:00" / "Fri Nov 27 10:00 AM".
    func button(_ millis: Int64) -> String {
        let p = parts(millis)
        let weekday = (p.weekday ?? 1) - 1
        switch language {
        case .pt:
            return "\(Self.portugueseWeekdays[weekday].prefix(3)) \(Self.two(p.day ?? 0))/\(Self.two(p.month ?? 0)) \(time(millis))"
        case .en:
            return "\(Self.englishWeekdays[weekday].prefix(3)) \(Self.englishMonths[(p.month ?? 1) - 1]) \(p.day ?? 0) \(time(millis))"
        }
    }

    static func two(_ number: Int) -> String {
        number < 10 ? "0\(number)" : String(number)
    }
}
