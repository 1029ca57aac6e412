import Logging
import ServiceLifecycle

/// The loop every worker runs: wait until the gateway has started, then claim and handle work,
/// and sleep on `signal` (or `pollMillis`) when there is none. Stops taking work on graceful
/// shutdown; what it is handling then finishes first.
func runClaimLoop<Work: Sendable>(
    runtime: GatewayRuntime,
    signal: WorkSignal,
    kind: String,
    claim: () async throws -> Work?,
    handle: (Work) async -> Void
) async {
    await runtime.started.wait()
    guard !Task.isCancelled else { return }
    await withGracefulShutdownHandler {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            do {
                if let work = try await claim() {
                    // There may be more: let another idle worker look while this one works.
                    signal.notify()
                    await handle(work)
                    continue
                }
            } catch {
                runtime.logger.error("cannot claim a \(kind)", metadata: ["error": "\(String(reflecting: error))"])
            }
            await signal.wait(timeoutMillis: runtime.configuration.pollMillis)
        }
    } onGracefulShutdown: {
        signal.notifyAll()
    }
}
