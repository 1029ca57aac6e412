import AtendeCore
import Logging
import ServiceLifecycle

/// Deletes what is older than `retention.messages_days` and `retention.traces_days`, once a day,
/// through a durable job: with several replicas one of them runs it, and a run cut short by a
/// crash is taken over when its lease expires.
struct RetentionWorker: Service {
    let runtime: GatewayRuntime
    let store: any PersonalDataStore
    /// How often a replica looks whether the daily run is due.
    static let checkMillis: Int64 = 10 * 60_000
    static let dayMillis: Int64 = 86_400_000

    func run() async throws {
        await runtime.started.wait()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await runIfDue()
                try? await Task.sleep(for: .milliseconds(Self.checkMillis))
            }
        }
    }

    func runIfDue() async {
        let retention = runtime.configuration.retention
        let now = runtime.time.nowMillis()
        do {
            guard let claim = try await store.claimRetention(worker: "retention", now: now, leaseMillis: 30 * 60_000) else { return }
            var failure: String?
            do {
                let result = try await store.deleteExpired(
                    messagesBefore: retention.messagesDays > 0 ? now - Int64(retention.messagesDays) * Self.dayMillis : nil,
                    tracesBefore: retention.tracesDays > 0 ? now - Int64(retention.tracesDays) * Self.dayMillis : nil
                )
                runtime.logger.info("retention: deleted what is past its keeping time", metadata: [
                    "messages": "\(result.messages)", "traces": "\(result.traces)", "outbox": "\(result.outboxEntries)", "jobs": "\(result.jobs)",
                ])
            } catch {
                failure = "\(error)"
                runtime.logger.error("retention run failed; it runs again tomorrow", metadata: ["error": "\(String(reflecting: error))"])
            }
            try await store.finishRetention(claim, error: failure, nextRunAt: now + Self.dayMillis, now: runtime.time.nowMillis())
        } catch {
            runtime.logger.error("cannot claim or finish the retention run", metadata: ["error": "\(String(reflecting: error))"])
        }
    }
}
