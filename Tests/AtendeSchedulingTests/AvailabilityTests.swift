import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import AtendeYAML
import Foundation
import Testing

/// Free slots from hours, breaks, holidays, closed days, bookings, buffers, notice, horizon,
/// capacity and time zones. Times are written as wall-clock times in the business's zone.
@Suite struct AvailabilityTests {
    static let saoPaulo = TimeZone(identifier: "America/Sao_Paulo")!
    static let corte = BusinessService(id: "corte", name: "Corte", minutes: 60)

    /// Mon–Fri 09:00–12:00 and 13:00–18:00, Saturday 09:00–13:00; 30-minute steps; no notice.
    static func calendar(_ change: (inout BusinessCalendar) -> Void = { _ in }) -> BusinessCalendar {
        let weekday = [OpeningPeriod(start: 9 * 60, end: 12 * 60), OpeningPeriod(start: 13 * 60, end: 18 * 60)]
        var calendar = BusinessCalendar(
            timeZone: saoPaulo, hours: [1: weekday, 2: weekday, 3: weekday, 4: weekday, 5: weekday, 6: [OpeningPeriod(start: 9 * 60, end: 13 * 60)]],
            services: [corte], slotMinutes: 30, minimumNoticeMinutes: 0, horizonDays: 400
        )
        change(&calendar)
        return calendar
    }

    static func at(_ day: String, _ time: String, _ zone: TimeZone = saoPaulo) -> Int64 {
        let parts = time.split(separator: ":").compactMap { Int($0) }
        return CivilDay(day)!.instant(minutes: parts[0] * 60 + parts[1], in: zone)
    }

    /// "09:00" for each free slot of `day`.
    static func times(_ calendar: BusinessCalendar, _ day: String, service: BusinessService = corte, busy: [BusyInterval] = [], now: Int64? = nil) -> [String] {
        let start = CivilDay(day)!.startMillis(in: calendar.timeZone)
        let slots = Availability(calendar: calendar).slots(for: service, from: start, to: start + 86_400_000, busy: busy, now: now ?? start - 86_400_000)
        return slots.map { slot in
            let minutes = Int((slot.start - start) / 60_000)
            return String(format: "%02d:%02d", minutes / 60, minutes % 60)
        }
    }

    static func booking(_ day: String, _ from: String, _ to: String) -> BusyInterval {
        BusyInterval(start: at(day, from), end: at(day, to), takesAllCapacity: false)
    }

    @Test("hours and breaks: a 60-minute service fits inside one period, never across the lunch break")
    func hoursAndBreaks() {
        #expect(Self.times(Self.calendar(), "2026-11-23") == [
            "09:00", "09:30", "10:00", "10:30", "11:00", "13:00", "13:30", "14:00", "14:30", "15:00", "15:30", "16:00", "16:30", "17:00",
        ])
        #expect(Self.times(Self.calendar(), "2026-11-28") == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00"])
        #expect(Self.times(Self.calendar(), "2026-11-29").isEmpty, "Sunday has no hours")
    }

    @Test(
        "national holidays are closed, Carnaval, Good Friday and Corpus Christi included",
        arguments: [
            ("2024-02-12", "Carnaval"), ("2024-02-13", "Carnaval"), ("2024-03-29", "Sexta-feira Santa"), ("2024-05-30", "Corpus Christi"),
            ("2025-03-03", "Carnaval"), ("2025-03-04", "Carnaval"), ("2025-04-18", "Sexta-feira Santa"), ("2025-06-19", "Corpus Christi"),
            ("2026-02-16", "Carnaval"), ("2026-02-17", "Carnaval"), ("2026-04-03", "Sexta-feira Santa"), ("2026-06-04", "Corpus Christi"),
            ("2027-02-08", "Carnaval"), ("2027-02-09", "Carnaval"), ("2027-03-26", "Sexta-feira Santa"), ("2027-05-27", "Corpus Christi"),
            ("2026-04-21", "Tiradentes"), ("2026-09-07", "Independência do Brasil"), ("2026-10-12", "Nossa Senhora Aparecida"),
            ("2026-11-02", "Finados"), ("2026-12-25", "Natal"), ("2027-01-01", "Confraternização Universal"), ("2024-11-20", "Dia da Consciência Negra"),
        ]
    )
    func holidays(day: String, name: String) {
        #expect(BrazilianHolidays.holiday(on: CivilDay(day)!) == name)
        #expect(Self.calendar().closure(on: CivilDay(day)!) == name)
        #expect(Self.times(Self.calendar(), day).isEmpty)
        // A business that opens on holidays has its usual hours there.
        let open = Self.calendar { $0.closesOnHolidays = false }
        #expect(Self.times(open, day) == Self.times(open, CivilDay(day)!.adding(days: 7).description) || CivilDay(day)!.weekday >= 6)
    }

    @Test("Consciência Negra is a national holiday only from 2024; the day after a holiday opens")
    func newHolidayAndOrdinaryDays() {
        #expect(BrazilianHolidays.holiday(on: CivilDay("2023-11-20")!) == nil)
        #expect(BrazilianHolidays.holiday(on: CivilDay("2025-11-20")!) == "Dia da Consciência Negra")
        #expect(BrazilianHolidays.holiday(on: CivilDay("2026-02-18")!) == nil, "Ash Wednesday is a working day")
        #expect(!Self.times(Self.calendar(), "2026-06-05").isEmpty)
    }

    @Test("custom closed days close; 'open' days open despite a holiday")
    func closedAndOpenDays() {
        let calendar = Self.calendar {
            $0.closedDays = [CivilDay("2026-12-24")!]
            $0.openDays = [CivilDay("2026-02-17")!]
        }
        #expect(Self.times(calendar, "2026-12-24").isEmpty)
        #expect(calendar.closure(on: CivilDay("2026-12-24")!) == "fechado")
        #expect(Self.times(calendar, "2026-02-17").count == 14)
        #expect(Self.times(calendar, "2026-02-16").isEmpty)
    }

    @Test("a booking and the buffer after it keep overlapping slots out, on both sides")
    func buffers() {
        let calendar = Self.calendar { $0.bufferMinutes = 15 }
        // 10:00–11:00 booked: occupied until 11:15. A slot must also end 15 minutes before 10:00.
        let free = Self.times(calendar, "2026-11-23", busy: [Self.booking("2026-11-23", "10:00", "11:00")])
        #expect(free.prefix(3) == ["13:00", "13:30", "14:00"], "the morning has no room for 60 minutes + 15 around 10:00: \(free)")
        let noBuffer = Self.times(Self.calendar(), "2026-11-23", busy: [Self.booking("2026-11-23", "10:00", "11:00")])
        #expect(noBuffer.prefix(3) == ["09:00", "11:00", "13:00"])
    }

    @Test("minimum notice and horizon bound what can be booked")
    func noticeAndHorizon() {
        let calendar = Self.calendar {
            $0.minimumNoticeMinutes = 120
            $0.horizonDays = 7
        }
        let now = Self.at("2026-11-23", "08:40")
        #expect(Self.times(calendar, "2026-11-23", now: now).first == "11:00")
        #expect(!Self.times(calendar, "2026-11-30", now: now).isEmpty, "7 days ahead is inside the horizon")
        #expect(Self.times(calendar, "2026-12-01", now: now).isEmpty, "8 days ahead is past it")
    }

    @Test("capacity counts appointments overlapping at one instant, not every overlapping appointment")
    func capacity() {
        let two = Self.calendar { $0.capacity = 2 }
        let day = "2026-11-23"
        // 09:00–10:00 and 10:00–11:00 never overlap each other, so 09:30–10:30 still fits with capacity 2.
        let busy = [Self.booking(day, "09:00", "10:00"), Self.booking(day, "10:00", "11:00")]
        #expect(Self.times(two, day, busy: busy).contains("09:30"))
        #expect(!Self.times(Self.calendar(), day, busy: busy).contains("09:30"))
        // Two at once fill it.
        let full = busy + [Self.booking(day, "09:00", "10:00")]
        #expect(!Self.times(two, day, busy: full).contains("09:30"))
        #expect(!Self.times(two, day, busy: full).contains("09:00"))
        #expect(Occupancy.fits(start: 0, end: 10, bufferMillis: 0, capacity: 2, bookings: [ClosedInterval(start: 0, end: 5), ClosedInterval(start: 5, end: 10)], external: []))
        #expect(!Occupancy.fits(start: 0, end: 10, bufferMillis: 0, capacity: 2, bookings: [ClosedInterval(start: 0, end: 6), ClosedInterval(start: 5, end: 10)], external: []))
    }

    @Test("a busy time from the business's own calendar blocks every unit of capacity")
    func externalBusy() {
        let five = Self.calendar { $0.capacity = 5 }
        let busy = [BusyInterval(start: Self.at("2026-11-23", "14:10"), end: Self.at("2026-11-23", "14:20"), takesAllCapacity: true)]
        let free = Self.times(five, "2026-11-23", busy: busy)
        #expect(!free.contains("13:30") && !free.contains("14:00") && free.contains("13:00") && free.contains("14:30"))
    }

    @Test("the contact's time zone does not change the instants: a wish made in Lisbon finds the same slots")
    func timeZones() {
        let calendar = Self.calendar()
        let search = SlotSearch(availability: Availability(calendar: calendar))
        let now = Self.at("2026-11-23", "08:00")
        // 14:00 in Lisbon on Tuesday is 11:00 in São Paulo.
        let lisbon = TimeZone(identifier: "Europe/Lisbon")!
        let wish = Self.at("2026-11-24", "14:00", lisbon)
        #expect(wish == Self.at("2026-11-24", "11:00"))
        let offered = search.offer(.window(from: wish, to: wish + 1), service: Self.corte, busy: [], now: now)
        #expect(offered.first?.start == Self.at("2026-11-24", "11:00"))
        // A business in a zone with daylight saving: 09:00 local stays 09:00 across the change.
        var newYork = Self.calendar()
        newYork.timeZone = TimeZone(identifier: "America/New_York")!
        #expect(Self.times(newYork, "2026-03-06").first == "09:00")
        #expect(Self.times(newYork, "2026-03-09").first == "09:00")
        let before = CivilDay("2026-03-06")!.instant(minutes: 9 * 60, in: newYork.timeZone)
        let after = CivilDay("2026-03-09")!.instant(minutes: 9 * 60, in: newYork.timeZone)
        #expect(after - before == 3 * 86_400_000 - 3_600_000, "the clocks went forward on March 8")
    }

    @Test("slot offers: nearest to a time, inside a window spread out, after a window when it is full, later ones on request")
    func slotSearch() {
        let calendar = Self.calendar()
        let search = SlotSearch(availability: Availability(calendar: calendar))
        let now = Self.at("2026-11-23", "08:00")
        let starts = { (slots: [Slot]) in slots.map { slot -> String in
            let day = CivilDay(instant: slot.start, in: Self.saoPaulo)
            let minutes = Int((slot.start - day.startMillis(in: Self.saoPaulo)) / 60_000)
            return "\(day.description.suffix(2)) " + String(format: "%02d:%02d", minutes / 60, minutes % 60)
        } }
        let threePM = Self.at("2026-11-24", "15:00")
        #expect(starts(search.offer(.window(from: threePM, to: threePM + 1), service: Self.corte, busy: [], now: now)) == ["24 15:00", "24 14:30", "24 15:30"])
        let morning = (Self.at("2026-11-27", "00:00"), Self.at("2026-11-27", "12:00"))
        #expect(starts(search.offer(.window(from: morning.0, to: morning.1), service: Self.corte, busy: [], now: now)) == ["27 09:00", "27 10:00", "27 11:00"])
        // A full morning: the nearest after it.
        let fullMorning = [Self.booking("2026-11-27", "09:00", "12:00")]
        #expect(starts(search.offer(.window(from: morning.0, to: morning.1), service: Self.corte, busy: fullMorning, now: now)) == ["27 13:00", "27 13:30", "27 14:00"])
        // Anytime: the next ones, spread; `after` and `excluding` move on.
        let next = search.offer(.anytime, service: Self.corte, busy: [], now: now)
        #expect(starts(next) == ["23 09:00", "23 10:00", "23 11:00"])
        #expect(starts(search.offer(.anytime, service: Self.corte, busy: [], now: now, after: Self.at("2026-11-23", "15:00"))) == ["23 15:00", "23 16:00", "23 17:00"])
        #expect(Set(search.offer(.anytime, service: Self.corte, busy: [], now: now, excluding: Set(next))).isDisjoint(with: next))
    }

    @Test("the calendar section is read with defaults, aliases and Portuguese weekdays; mistakes name the line")
    func parsing() throws {
        let yaml = """
            calendar:
              slot_minutes: 15
              reminders: [2d, 90m]
              closed: ["2026-12-24"]
              hours:
                seg: "09:00-12:00, 13:00-18:00"
                sab: "9h-13h"
                dom: fechado
              services:
                - id: corte
                  name: Corte de cabelo
                  aliases: [cortar o cabelo, haircut]
                  minutes: 45
                  price: R$ 80
            """
        let node = try YAMLNode.parse(yaml, file: "negocio.yaml").mapping(allowed: ["calendar"]).required("calendar")
        let calendar = try BusinessCalendar.parse(node, defaultTimeZone: "America/Sao_Paulo")
        #expect(calendar.slotMinutes == 15 && calendar.reminderOffsetsMinutes == [2880, 90] && calendar.capacity == 1 && calendar.holdMinutes == 10)
        #expect(calendar.hours[1] == [OpeningPeriod(start: 540, end: 720), OpeningPeriod(start: 780, end: 1080)])
        #expect(calendar.hours[6] == [OpeningPeriod(start: 540, end: 780)] && calendar.hours[7] == [])
        #expect(calendar.service(matching: "quero CORTAR O CABELO amanhã")?.id == "corte")
        #expect(calendar.service(matching: "a haircut please")?.id == "corte")
        #expect(calendar.service(matching: "quero fazer as unhas") == nil)

        let broken: [(String, String, Int)] = [
            ("    seg: \"09:00-25:00\"", "is not a period", 4),
            ("    seg: \"12:00-09:00\"", "ends before it starts", 4),
            ("    seg: \"09:00-12:00, 11:00-13:00\"", "overlap", 4),
            ("    xyz: \"09:00-12:00\"", "is not a weekday", 4),
        ]
        // A reminder further ahead than 30 days, or a number no Int holds, is a mistake in the file, not a trap.
        for reminder in ["31d", "9999999999999999d", "200000000000000m", "-5h", "1e9h"] {
            let text = "calendar:\n  reminders: [\"\(reminder)\"]\n  hours:\n    ter: \"09:00-10:00\"\n  services:\n    - {id: a, name: A, minutes: 30}\n"
            let node = try YAMLNode.parse(text, file: "negocio.yaml").mapping(allowed: ["calendar"]).required("calendar")
            let problem = try #require(throws: FileProblem.self) { try BusinessCalendar.parse(node, defaultTimeZone: "America/Sao_Paulo") }
            #expect(problem.description.contains("up to 30 days") && problem.line == 2, "\(problem)")
        }
        for (line, message, lineNumber) in broken {
            let text = "calendar:\n  hours:\n    ter: \"09:00-10:00\"\n\(line)\n  services:\n    - {id: a, name: A, minutes: 30}\n"
            let node = try YAMLNode.parse(text, file: "negocio.yaml").mapping(allowed: ["calendar"]).required("calendar")
            let problem = try #require(throws: FileProblem.self) { try BusinessCalendar.parse(node, defaultTimeZone: "America/Sao_Paulo") }
            #expect(problem.description.contains(message) && problem.line == lineNumber, "\(problem)")
        }
        #expect(calendar.nextWeekday == .nextWeek)
        for (value, reading) in [("coming", DateExtractor.NextWeekday.coming), ("next_week", .nextWeek)] {
            let text = "calendar:\n  next_weekday: \(value)\n  hours:\n    ter: \"09:00-10:00\"\n  services:\n    - {id: a, name: A, minutes: 30}\n"
            let node = try YAMLNode.parse(text, file: "negocio.yaml").mapping(allowed: ["calendar"]).required("calendar")
            #expect(try BusinessCalendar.parse(node, defaultTimeZone: "America/Sao_Paulo").nextWeekday == reading)
        }
        let wrongReading = try YAMLNode.parse("calendar:\n  next_weekday: proxima\n  hours:\n    ter: \"09:00-10:00\"\n  services:\n    - {id: a, name: A, minutes: 30}\n", file: "negocio.yaml")
            .mapping(allowed: ["calendar"]).required("calendar")
        let readingProblem = try #require(throws: FileProblem.self) { try BusinessCalendar.parse(wrongReading, defaultTimeZone: "America/Sao_Paulo") }
        #expect(readingProblem.description.contains("next_week") && readingProblem.line == 2, "\(readingProblem)")
        let noServices = try YAMLNode.parse("calendar:\n  hours:\n    seg: \"09:00-10:00\"\n  services: []\n  capacity: 0\n", file: "n.yaml").mapping(allowed: ["calendar"]).required("calendar")
        #expect(throws: FileProblem.self) { try BusinessCalendar.parse(noServices, defaultTimeZone: "America/Sao_Paulo") }
    }

    @Test("an .ics event escapes text and folds long lines without splitting a character")
    func iCalendar() {
        let event = ICalendarEvent(
            uid: "atende-booking-7", start: Self.at("2026-11-27", "10:00"), end: Self.at("2026-11-27", "10:30"),
            summary: "Avaliação; cabelo, unhas\ne sobrancelha · Studio Bella – Ana Souza com um nome muito comprido para caber numa linha só",
            location: "Rua das Flores, 123", status: .confirmed, stamp: Self.at("2026-11-23", "08:00")
        )
        let document = event.document()
        #expect(document.hasPrefix("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n") && document.hasSuffix("END:VCALENDAR\r\n"))
        #expect(document.contains("DTSTART:20261127T130000Z\r\n") && document.contains("DTEND:20261127T133000Z\r\n"))
        #expect(document.contains("LOCATION:Rua das Flores\\, 123\r\n"))
        let lines = document.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 75 })
        let unfolded = document.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("SUMMARY:Avaliação\\; cabelo\\, unhas\\ne sobrancelha · Studio Bella – Ana Souza com um nome muito comprido"))
    }
}
