import AtendeAgents
import AtendeCore
import AtendeScheduling
import Logging
import ServiceLifecycle

/// Writes bookings to the business's CalDAV calendar: a confirmed booking becomes an event, a
/// cancelled one is removed. Each change is a job queued with the booking itself, so a calendar
/// that is down gets the change later; the job reads the booking's state when it runs, so
/// changes that pile up end in the calendar as the booking is now.
struct CalendarSyncWorker: Service {
    let runtime: GatewayRuntime
    let bookings: any BookingStore
    let calendar: CalDAVCalendar
    let agents: CurrentAgents
    static let leaseMillis: Int64 = 60_000
    static let maxAttempts = 12
    /// A calendar server that is down is tried again from about 4 s, doubling up to 10 minutes.
    static let backoff = Backoff(baseMillis: 4_000, capMillis: 600_000)

    func run() async throws {
        await runClaimLoop(runtime: runtime, signal: WorkSignal(), kind: "calendar write") {
            try await bookings.claimCalendarSync(worker: "calendar", now: runtime.time.nowMillis(), leaseMillis: Self.leaseMillis)
        } handle: { claim in
            await write(claim)
        }
    }

    func write(_ claim: ClaimedCalendarSync) async {
        let booking = claim.booking
        let uid = "atende-booking-\(booking.id)"
        let now = runtime.time.nowMillis()
        do {
            switch booking.status {
            case .confirmed, .completed:
                let event = ICalendarEvent.booking(booking, business: agents.set.library.business, now: now)
                try await calendar.putEvent(uid: uid, icalendar: event.document())
                runtime.metrics.calendarWrite(outcome: "written")
            case .cancelled, .held, .noShow:
                try await calendar.deleteEvent(uid: uid)
                runtime.metrics.calendarWrite(outcome: "removed")
            }
            try await bookings.finishCalendarSync(claim, error: nil, retryAt: nil, now: now)
        } catch {
            let retryable = (error as? CalDAVError)?.retryable ?? true
            let again = retryable && claim.attempts < Self.maxAttempts
            // 2 s, 4 s, … capped at 10 minutes: a calendar down for an hour still gets every change.
            let delay = Self.backoff.delayMillis(attempt: claim.attempts)
            runtime.metrics.calendarWrite(outcome: again ? "retry" : "failed")
            runtime.logger.warning(
                again ? "cannot write a booking to the CalDAV calendar; will retry" : "gave up writing a booking to the CalDAV calendar",
                metadata: ["booking": "\(booking.id)", "attempt": "\(claim.attempts)", "error": "\(error)"]
            )
            try? await bookings.finishCalendarSync(claim, error: "\(error)", retryAt: again ? now + delay : nil, now: now)
        }
    }
}
