import Logging
import NIOConcurrencyHelpers

/// Every log line a logger writes, message and metadata as text, for tests that check what
/// reaches the log (and what must not).
public final class CapturedLog: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    public init() {}

    public var text: String { lines.withLockedValue { $0.joined(separator: "\n") } }

    /// A logger at `debug` that writes here.
    public func logger() -> Logger {
        var logger = Logger(label: "captured") { _ in Handler(log: self) }
        logger.logLevel = .debug
        return logger
    }

    fileprivate func append(_ line: String) {
        lines.withLockedValue { $0.append(line) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .debug

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.append("\(event.level) \(event.message) " + all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        }
    }
}
