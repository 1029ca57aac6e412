import AtendeCore
import Foundation

/// Something that takes room in the calendar: a booking or a hold takes one unit of capacity; a
/// busy time from the business's own calendar (CalDAV) takes all of it.
public struct BusyInterval: Sendable, Hashable {
    public var start: Int64
    public var end: Int64
    public var takesAllCapacity: Bool

    public init(start: Int64, end: Int64, takesAllCapacity: Bool) {
        self.start = start
        self.end = end
        self.takesAllCapacity = takesAllCapacity
    }
}

/// A time an appointment can start and end, in milliseconds.
public struct Slot: Sendable, Hashable, Codable, Comparable {
    public var start: Int64
    public var end: Int64

    public init(start: Int64, end: Int64) {
        self.start = start
        self.end = end
    }

    public static func < (lhs: Slot, rhs: Slot) -> Bool {
        (lhs.start, lhs.end) < (rhs.start, rhs.end)
    }
}

/// Free slots: opening hours minus breaks, closed days and holidays, what is booked or held,
/// and busy times; within the minimum notice and the booking horizon.
public struct Availability: Sendable {
    public let calendar: BusinessCalendar

    public init(calendar: BusinessCalendar) {
        self.calendar = calendar
    }

    /// Every free slot for `service` starting in `[from, to)`, in start order.
    public func slots(for service: BusinessService, from: Int64, to: Int64, busy: [BusyInterval], now: Int64) -> [Slot] {
        let zone = calendar.timeZone
        let earliest = max(from, now + Int64(calendar.minimumNoticeMinutes) * 60_000)
        let lastDay = CivilDay(instant: now, in: zone).adding(days: calendar.horizonDays)
        var day = CivilDay(instant: earliest, in: zone)
        let endDay = min(CivilDay(instant: to - 1, in: zone), lastDay)
        let duration = Int64(service.minutes) * 60_000
        let buffer = Int64(calendar.bufferMinutes) * 60_000
        var slots: [Slot] = []
        while day <= endDay {
            for period in calendar.periods(on: day) {
                var minute = period.start
                while minute + service.minutes <= period.end {
                    let start = day.instant(minutes: minute, in: zone)
                    let slot = Slot(start: start, end: start + duration)
                    if start >= earliest, start < to, fits(slot, buffer: buffer, busy: busy) { slots.append(slot) }
                    minute += calendar.slotMinutes
                }
            }
            day = day.adding(days: 1)
        }
        return slots
    }

    /// Whether this exact slot can be booked now, by the same rules.
    public func isBookable(_ slot: Slot, service: BusinessService, busy: [BusyInterval], now: Int64) -> Bool {
        slots(for: service, from: slot.start, to: slot.start + 1, busy: busy, now: now).contains(slot)
    }

    func fits(_ slot: Slot, buffer: Int64, busy: [BusyInterval]) -> Bool {
        var bookings: [ClosedInterval] = []
        var external: [ClosedInterval] = []
        for interval in busy where interval.start < slot.end + buffer && interval.end + buffer > slot.start {
            if interval.takesAllCapacity {
                external.append(ClosedInterval(start: interval.start, end: interval.end))
            } else {
                bookings.append(ClosedInterval(start: interval.start, end: interval.end))
            }
        }
        return Occupancy.fits(start: slot.start, end: slot.end, bufferMillis: buffer, capacity: calendar.capacity, bookings: bookings, external: external)
    }
}

/// Where the business's own busy times come from (a CalDAV calendar).
public protocol BusyTimeSource: Sendable {
    /// Busy times overlapping `[from, to)`, each taking all capacity.
    func busyIntervals(from: Int64, to: Int64) async throws -> [BusyInterval]
}
