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
