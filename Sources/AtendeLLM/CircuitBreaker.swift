import Synchronization

/// Stops calling a model that keeps failing, so each turn answers at once without it instead of
/// waiting out every retry; after a pause one probe call finds out whether it is back.
final class CircuitBreaker: Sendable {
    enum Admission: Equatable {
        case allowed
        /// The only call let through after the pause; its outcome decides.
        case probe
        case rejected(retryInMillis: Int64)
    }

    private struct State {
        var consecutiveFailures = 0
        var openedAtMillis: Int64?
        var probeInFlight = false
    }

    private let failureThreshold: Int
    private let openMillis: Int64
    private let state = Mutex(State())

    init(failureThreshold: Int, openMillis: Int) {
        self.failureThreshold = max(1, failureThreshold)
        self.openMillis = Int64(max(0, openMillis))
    }

    func admit(nowMillis: Int64) -> Admission {
        state.withLock { state in
            guard let openedAt = state.openedAtMillis else { return .allowed }
            let elapsed = nowMillis - openedAt
            if elapsed < openMillis { return .rejected(retryInMillis: openMillis - elapsed) }
            if state.probeInFlight { return .rejected(retryInMillis: 0) }
            state.probeInFlight = true
            return .probe
        }
    }

    func recordSuccess() {
        state.withLock { $0 = State() }
    }

    func recordFailure(nowMillis: Int64) {
        state.withLock { state in
            state.consecutiveFailures += 1
            if state.probeInFlight || state.consecutiveFailures >= failureThreshold {
                state.openedAtMillis = nowMillis
            }
            state.probeInFlight = false
        }
    }

    /// A probe that ended without an outcome (its caller was cancelled): let the next call probe.
    func releaseProbe() {
        state.withLock { $0.probeInFlight = false }
    }
}
