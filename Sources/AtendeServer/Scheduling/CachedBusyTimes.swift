import AtendeCore
import AtendeScheduling
import Logging
import Synchronization

/// Busy times from the business's calendar, read at most once per `maxAgeMillis` for a window
/// around what is asked. A calendar that cannot be read is logged and counts as free: the
/// gateway's own bookings still never overlap, and customers keep being answered.
final class CachedBusyTimes: BusyTimeSource {
    let source: any BusyTimeSource
    let maxAgeMillis: Int64
    let time: any TimeSource
    let metrics: GatewayMetrics
    let logger: Logger
    /// How far past the asked range a read goes, so the next offers hit the cache.
    static let readAheadMillis: Int64 = 62 * 86_400_000

    private struct Cached {
        var from: Int64
        var to: Int64
        var readAt: Int64
        var busy: [BusyInterval]
    }

    private let cached = Mutex<Cached?>(nil)

    init(source: any BusyTimeSource, maxAgeMillis: Int64, time: any TimeSource, metrics: GatewayMetrics, logger: Logger) {
        self.source = source
        self.maxAgeMillis = maxAgeMillis
        self.time = time
        self.metrics = metrics
        self.logger = logger
    }

    func busyIntervals(from: Int64, to: Int64) async throws -> [BusyInterval] {
        let now = time.nowMillis()
        if let hit = cached.withLock({ cached -> [BusyInterval]? in
            guard let cached, cached.from <= from, cached.to >= to, now - cached.readAt < maxAgeMillis else { return nil }
            return cached.busy
        }) {
            return hit.filter { $0.start < to && $0.end > from }
        }
        let windowEnd = max(to, from + Self.readAheadMillis)
        do {
            let busy = try await source.busyIntervals(from: from, to: windowEnd)
            cached.withLock { $0 = Cached(from: from, to: windowEnd, readAt: now, busy: busy) }
            metrics.calendarRead(outcome: "ok")
            return busy.filter { $0.start < to && $0.end > from }
        } catch {
            metrics.calendarRead(outcome: "failed")
            logger.warning("cannot read busy times from the CalDAV calendar; offering from the gateway's own bookings only", metadata: ["error": "\(error)"])
            return []
        }
    }
}
