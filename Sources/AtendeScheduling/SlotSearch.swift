/// What the contact asked for.
public enum SlotWish: Sendable, Hashable {
    /// The next free times.
    case anytime
    /// A time span: "sexta de manhã", "depois das 15h", "amanhã" (a whole day), a specific time
    /// as a one-millisecond span.
    case window(from: Int64, to: Int64)
}

/// Chooses the few slots to offer: the ones nearest to what was asked.
public struct SlotSearch: Sendable {
    public let availability: Availability
    /// Offers inside a wide window are spread out, so the contact gets a real choice.
    static let spreadMillis: Int64 = 60 * 60_000

    public init(availability: Availability) {
        self.availability = availability
    }

    /// Up to `count` free slots for `wish`, in start order (nearest first for a single instant):
    /// - a window: the free slots inside it, spread an hour apart when there are enough; if none,
    ///   the nearest after it, then before it;
    /// - a single instant: that slot if free, then the nearest by distance on the same day, then
    ///   the following days, nearest first (so "1" is the time asked for);
    /// - anytime: the next free ones, spread.
    /// `after` keeps only slots starting then or later ("mais tarde"); `excluding` leaves out slots
    /// already offered.
    public func offer(_ wish: SlotWish, service: BusinessService, busy: [BusyInterval], now: Int64, count: Int = 3, after: Int64? = nil, excluding: Set<Slot> = []) -> [Slot] {
        let calendar = availability.calendar
        let horizonEnd = CivilDay(instant: now, in: calendar.timeZone).adding(days: calendar.horizonDays + 1).startMillis(in: calendar.timeZone)
        let floor = max(now, after ?? now)
        let all = availability.slots(for: service, from: floor, to: horizonEnd, busy: busy, now: now).filter { !excluding.contains($0) }
        guard !all.isEmpty, count > 0 else { return [] }
        switch wish {
        case .anytime:
            return spread(all, count: count)
        case .window(let from, let to) where to - from <= 1:
            // One instant: nearest on its day first, then the days after.
            let day = CivilDay(instant: from, in: calendar.timeZone)
            let sameDay = all.filter { CivilDay(instant: $0.start, in: calendar.timeZone) == day }
                .sorted { abs($0.start - from) != abs($1.start - from) ? abs($0.start - from) < abs($1.start - from) : $0.start < $1.start }
            let later = all.filter { $0.start >= day.adding(days: 1).startMillis(in: calendar.timeZone) }
            return Array((sameDay + later).prefix(count))
        case .window(let from, let to):
            let inside = all.filter { $0.start >= from && $0.start < to }
            if !inside.isEmpty { return spread(inside, count: count) }
            let afterWindow = all.filter { $0.start >= to }
            let beforeWindow = all.filter { $0.start < from }.reversed()
            return Array((Array(afterWindow.prefix(count)) + beforeWindow).prefix(count)).sorted()
        }
    }

    /// The first slot, then each next one at least an hour after the last taken; the rest fill up.
    func spread(_ slots: [Slot], count: Int) -> [Slot] {
        var chosen: [Slot] = []
        for slot in slots where chosen.count < count {
            if let last = chosen.last, slot.start - last.start < Self.spreadMillis { continue }
            chosen.append(slot)
        }
        for slot in slots where chosen.count < count && !chosen.contains(slot) {
            chosen.append(slot)
        }
        return chosen.sorted()
    }
}
