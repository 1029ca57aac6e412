import AtendeCore
import Synchronization

/// The system clock plus an offset a test moves forward, to cross a quiet period or a pause
/// without sleeping through it.
public final class ShiftedTime: TimeSource {
    private let offset = Mutex<Int64>(0)

    public init() {}

    public func nowMillis() -> Int64 {
        SystemTime().nowMillis() + offset.withLock { $0 }
    }

    public func advance(millis: Int64) {
        offset.withLock { $0 += millis }
    }
}
