import Synchronization

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
