import Synchronization

/// The limits on what comes in, shared by the webhook routes and the turn workers of one process.
/// With several replicas each keeps its own counts: a client spread across them gets the limit
/// once per replica.
struct InboundLimits: Sendable {
    let inFlight: InFlightLimit
    let failedVerifications: SlidingWindowLimit
    /// Answered turns per conversation.
    let contactTurns: SlidingWindowLimit

    init(_ configuration: LimitsConfiguration) {
        inFlight = InFlightLimit(limit: configuration.webhooksInFlight)
        failedVerifications = SlidingWindowLimit(limit: configuration.failedVerificationsPerMinute, windowMillis: 60_000)
        contactTurns = SlidingWindowLimit(limit: configuration.contactTurnsPerMinute, windowMillis: 60_000)
    }
}

/// Webhook requests of each channel being handled at once. Over the cap the platform is told to
/// come back (503 with `Retry-After`), so a flood costs neither memory nor the turns of others.
public final class InFlightLimit: Sendable {
    public let limit: Int
    private let counts = Mutex<[String: Int]>([:])

    public init(limit: Int) {
        self.limit = limit
    }

    /// `false` when `key` already has `limit` requests in flight; otherwise counts one more,
    /// which the caller must `leave`.
    public func enter(_ key: String) -> Bool {
        counts.withLock { counts in
            let current = counts[key, default: 0]
            guard current < limit else { return false }
            counts[key] = current + 1
            return true
        }
    }

    public func leave(_ key: String) {
        counts.withLock { counts in
            let remaining = counts[key, default: 1] - 1
            counts[key] = remaining > 0 ? remaining : nil
        }
    }
}

/// At most `limit` events per key in any window of `windowMillis`, remembered per key in this
/// process. Used for failed verifications per client address and answered turns per conversation.
public final class SlidingWindowLimit: Sendable {
    public let limit: Int
    public let windowMillis: Int64
    /// Keys beyond this are forgotten oldest-first, so a flood of new addresses cannot grow memory.
    let maxKeys: Int
    private let events = Mutex<[String: [Int64]]>([:])

    public init(limit: Int, windowMillis: Int64, maxKeys: Int = 10_000) {
        self.limit = limit
        self.windowMillis = windowMillis
        self.maxKeys = maxKeys
    }

    /// When `key` may act again: `nil` if it is under the limit now.
    public func retryAt(_ key: String, now: Int64) -> Int64? {
        events.withLock { events in retryAt(events[key] ?? [], now: now) }
    }

    /// Records one event of `key` at `now`.
    public func record(_ key: String, now: Int64) {
        events.withLock { events in append(key, now: now, to: &events) }
    }

    /// Records one event when under the limit: `nil` if admitted, else when to try again.
    public func admit(_ key: String, now: Int64) -> Int64? {
        events.withLock { events in
            if let later = retryAt(events[key] ?? [], now: now) { return later }
            append(key, now: now, to: &events)
            return nil
        }
    }

    private func retryAt(_ times: [Int64], now: Int64) -> Int64? {
        let recent = times.filter { $0 > now - windowMillis }
        guard recent.count >= limit, let oldest = recent.first else { return nil }
        return oldest + windowMillis
    }

    private func append(_ key: String, now: Int64, to events: inout [String: [Int64]]) {
        if events[key] == nil, events.count >= maxKeys {
            // Expired keys go first; if all are recent, the least recent half. Either way the next
            // maxKeys / 2 new keys cost nothing, so a flood of addresses is not a quadratic cost.
            events = events.filter { $0.value.last.map { $0 > now - windowMillis } ?? false }
            if events.count >= maxKeys {
                let newest = events.sorted { ($0.value.last ?? 0) > ($1.value.last ?? 0) }.prefix(maxKeys / 2)
                events = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
            }
        }
        var times = events[key, default: []].filter { $0 > now - windowMillis }
        times.append(now)
        if times.count > limit { times.removeFirst(times.count - limit) }
        events[key] = times
    }
}
