import AtendeCore
import Logging
import ServiceLifecycle

/// Turns due reminders into turns of their conversations, so a reminder is answered like any
/// message: in order, by one worker, stored with the reply. Runs in every replica; the store
/// hands each reminder to one of them.
struct ReminderScheduler: Service {
    let runtime: GatewayRuntime
    let bookings: any BookingStore
    /// Reminders are minutes or hours ahead: a second of lateness is nothing.
    static let intervalMillis: Int64 = 1000

    func run() async throws {
        await runtime.started.wait()
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let promoted = try await bookings.promoteDueReminders(now: runtime.time.nowMillis(), limit: 100)
                    if promoted > 0 {
                        runtime.metrics.remindersDue(promoted)
                        runtime.turnSignal.notify(count: promoted)
                        continue
                    }
                } catch {
                    runtime.logger.error("cannot queue due reminders", metadata: ["error": "\(String(reflecting: error))"])
                }
                try? await Task.sleep(for: .milliseconds(Self.intervalMillis))
            }
        }
    }
}
