import Synchronization

/// One circuit per channel, so a platform that is down does not hold the delivery workers
/// (each waiting out a timeout) while other channels' replies queue behind it.
///
/// Closed: send. After `failures` consecutive retryable failures: open, nothing is sent to the
/// channel until `openMillis` have passed. Then half-open: one delivery is let through as a
/// probe; success closes the circuit, failure opens it again.
public final class CircuitBreakers: Sendable {
    private struct Circuit {
        var consecutiveFailures = 0
        var openUntil: Int64?
        var probing = false
    }

    private let circuits = Mutex<[String: Circuit]>([:])

    /// Channels whose entries must not be claimed now.
    func blockedChannels(now: Int64) -> Set<String> {
        circuits.withLock { circuits in
            Set(circuits.compactMap { channel, circuit in
                guard let openUntil = circuit.openUntil else { return nil }
                return (now < openUntil || circuit.probing) ? channel : nil
            })
        }
    }

    /// Whether a claimed entry may be sent. When the circuit is half-open the first caller
    /// becomes the probe; a caller that lost that race gets the time to come back at.
    func admit(channel: String, now: Int64) -> (allowed: Bool, retryAt: Int64) {
        circuits.withLock { circuits in
            guard var circuit = circuits[channel], let openUntil = circuit.openUntil else { return (true, now) }
            if now < openUntil || circuit.probing { return (false, max(openUntil, now + 100)) }
            circuit.probing = true
            circuits[channel] = circuit
            return (true, now)
        }
    }

    /// Records an attempt's outcome; returns `true` when this opened the circuit.
    @discardableResult
    func record(channel: String, success: Bool, now: Int64, failures: Int, openMillis: Int64) -> Bool {
        circuits.withLock { circuits in
            var circuit = circuits[channel] ?? Circuit()
            defer { circuits[channel] = circuit }
            circuit.probing = false
            if success {
                circuit = Circuit()
                return false
            }
            circuit.consecutiveFailures += 1
            let wasOpen = circuit.openUntil != nil
            if circuit.consecutiveFailures >= failures || wasOpen {
                circuit.openUntil = now + openMillis
                return !wasOpen
            }
            return false
        }
    }

    public func isOpen(channel: String) -> Bool {
        circuits.withLock { $0[channel]?.openUntil != nil }
    }
}

/// Outbound pacing from each adapter's delivery policy: a minimum interval between messages to
/// one conversation and a ceiling on messages per second through one channel. A caller learns how
/// long to wait; the wait itself is the caller's.
public final class DeliveryPacing: Sendable {
    private struct Slots {
        var conversationNext: [String: Int64] = [:]
        var channelWindow: [String: (second: Int64, count: Int)] = [:]
    }

    private let slots = Mutex(Slots())

    public init() {}

    /// Reserves a send slot and returns the delay in milliseconds before it (0 = now).
    public func reserve(channel: String, conversation: String, intervalMillis: Int64, perSecond: Int, now: Int64) -> Int64 {
        slots.withLock { slots in
            var at = now
            let key = channel + "\u{1F}" + conversation
            if intervalMillis > 0 {
                at = max(at, slots.conversationNext[key] ?? 0)
                slots.conversationNext[key] = at + intervalMillis
                if slots.conversationNext.count > 50_000 { slots.conversationNext = slots.conversationNext.filter { $0.value > now } }
            }
            if perSecond > 0 {
                var window = slots.channelWindow[channel] ?? (second: at / 1000, count: 0)
                if window.second < at / 1000 { window = (at / 1000, 0) }
                if window.count >= perSecond {
                    window = (window.second + 1, 0)
                    at = max(at, window.second * 1000)
                }
                window.count += 1
                slots.channelWindow[channel] = window
            }
            return at - now
        }
    }
}
