import Synchronization

/// One circuit per outbound target (a channel's platform, the language model), so a target that
/// keeps failing is not called, and its callers do not each wait out a timeout.
///
/// Closed: calls go through. After `failureThreshold` failures in a row: open, calls are refused
/// until `openMillis` have passed. Then half-open: one call is let through as a probe; its success
/// closes the circuit, its failure opens it again. Times are passed in, so tests drive it with any
/// clock.
public final class CircuitBreaker: Sendable {
    public enum Admission: Equatable, Sendable {
        case allowed
        /// The only call let through after the pause; its outcome decides.
        case probe
        /// Come back at `retryAt`.
        case rejected(retryAt: Int64)
    }

    private struct Circuit {
        var consecutiveFailures = 0
        var openUntil: Int64?
        var probing = false
    }

    private let circuits = Mutex<[String: Circuit]>([:])

    public init() {}

    public func admit(_ target: String, now: Int64) -> Admission {
        circuits.withLock { circuits in
            guard var circuit = circuits[target], let openUntil = circuit.openUntil else { return .allowed }
            if now < openUntil { return .rejected(retryAt: openUntil) }
            // Another caller is probing: come back shortly, when its outcome is known.
            if circuit.probing { return .rejected(retryAt: now + 100) }
            circuit.probing = true
            circuits[target] = circuit
            return .probe
        }
    }

    /// Records a call's outcome; returns `true` when this failure opened the circuit.
    @discardableResult
    public func record(_ target: String, success: Bool, now: Int64, failureThreshold: Int, openMillis: Int64) -> Bool {
        circuits.withLock { circuits in
            var circuit = circuits[target] ?? Circuit()
            defer { circuits[target] = circuit }
            circuit.probing = false
            if success {
                circuit = Circuit()
                return false
            }
            circuit.consecutiveFailures += 1
            let wasOpen = circuit.openUntil != nil
            if circuit.consecutiveFailures >= max(1, failureThreshold) || wasOpen {
                circuit.openUntil = now + max(0, openMillis)
                return !wasOpen
            }
            return false
        }
    }

    /// A probe that ended without an outcome (its caller was cancelled): the next call probes.
    public func releaseProbe(_ target: String) {
        circuits.withLock { $0[target]?.probing = false }
    }

    /// Targets that must not be called at `now` (open, or being probed).
    public func blocked(now: Int64) -> Set<String> {
        circuits.withLock { circuits in
            Set(circuits.compactMap { target, circuit in
                guard let openUntil = circuit.openUntil else { return nil }
                return now < openUntil || circuit.probing ? target : nil
            })
        }
    }

    public func isOpen(_ target: String) -> Bool {
        circuits.withLock { $0[target]?.openUntil != nil }
    }
}
