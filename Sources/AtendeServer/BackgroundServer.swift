import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Runs an application on a free port in the background until `stop()`: the fake platforms of
/// the tests, and `atende chat`'s gateway and reply receiver.
public final class BackgroundServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.task = task
    }

    /// - Parameter makeApplication: builds the application, given the callback it must call with its bound port.
    public static func start(
        _ makeApplication: (@escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol
    ) async throws -> BackgroundServer {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = makeApplication { port in continuation.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: .init(label: "test")))
        let task = Task {
            // If the application stops before listening (a failed start), nobody waits forever.
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await task.value
            throw ServerDidNotStart()
        }
        return BackgroundServer(port: port, group: group, task: task)
    }

    /// Stops gracefully, as SIGTERM would, and waits until it has.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }
}

public struct ServerDidNotStart: Error, CustomStringConvertible {
    public var description: String { "the server stopped before it was listening" }
}
