import Foundation

/// Milliseconds since the Unix epoch: the only time unit stored, the same in every store.
public protocol TimeSource: Sendable {
    func nowMillis() -> Int64
}

public struct SystemTime: TimeSource {
    public init() {}

    public func nowMillis() -> Int64 {
        Int64((Date().timeIntervalSince1970 * 1000).rounded())
    }
}

extension Date {
    /// Milliseconds since the epoch, or `nil` for a date no Int64 of milliseconds holds (a year
    /// in the millions, read from someone's text or a calendar server): never a trap.
    public var epochMillis: Int64? {
        let millis = (timeIntervalSince1970 * 1000).rounded()
        guard millis.isFinite, millis > -9.0e18, millis < 9.0e18 else { return nil }
        return Int64(millis)
    }
}
