import AtendeCore
import Synchronization

/// Where a booking's calendar file is served: `https://host/calendar/<token>.ics`.
///
/// Without a public URL the gateway serves the files itself, and a server started on port 0
/// only learns its port once it listens, so the address can be set then.
public final class CalendarLinks: Sendable {
    private let base: Mutex<String>

    /// - Parameter base: the address up to the token, ending in `/calendar/`.
    public init(base: String) {
        self.base = Mutex(base)
    }

    public func setBase(_ newBase: String) {
        base.withLock { $0 = newBase }
    }

    public func link(_ booking: Booking) -> String {
        base.withLock { $0 } + booking.token + ".ics"
    }
}
