import Foundation

/// How long to wait before trying again: exponential from `baseMillis` up to `capMillis`, each
/// wait drawn between half and all of that, so callers that failed together do not retry
/// together. A target's own `Retry-After` wins when it asks for longer (see `RetryAfter`).
public struct Backoff: Sendable {
    public var baseMillis: Int64
    public var capMillis: Int64

    public init(baseMillis: Int64, capMillis: Int64) {
        self.baseMillis = max(1, baseMillis)
        self.capMillis = max(self.baseMillis, capMillis)
    }

    /// The wait after failed attempt number `attempt` (1 for the first).
    public func delayMillis(attempt: Int) -> Int64 {
        var generator = SystemRandomNumberGenerator()
        return delayMillis(attempt: attempt, using: &generator)
    }

    public func delayMillis(attempt: Int, using generator: inout some RandomNumberGenerator) -> Int64 {
        let exponent = min(max(attempt - 1, 0), 30)
        let (scaled, overflow) = baseMillis.multipliedReportingOverflow(by: Int64(1) << exponent)
        let ceiling = overflow ? capMillis : min(scaled, capMillis)
        return Int64.random(in: (ceiling / 2)...ceiling, using: &generator)
    }
}

/// The wait a target asked for (`Retry-After` in seconds, or a field of its error body), held to
/// 0…1 hour so a hostile value can neither stall a caller forever nor trap. An HTTP-date is not
/// read: the caller's own backoff applies then.
public enum RetryAfter {
    public static func millis(seconds text: String?) -> Int64? {
        guard let text, let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite else { return nil }
        return Int64(min(max(seconds, 0), 3600) * 1000)
    }
}
