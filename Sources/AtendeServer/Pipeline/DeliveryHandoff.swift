import AtendeCore
import NIOConcurrencyHelpers

/// Outbox entries a turn worker leased with its turn, waiting for a delivery worker of this
/// process. Memory only: if the process dies first, their leases expire (or are freed at start,
/// on SQLite) and any worker claims them from the store as usual.
public final class DeliveryHandoff: Sendable {
    private let queue = NIOLockedValueBox<[ClaimedDelivery]>([])

    public init() {}

    func put(_ delivery: ClaimedDelivery) {
        queue.withLockedValue { $0.append(delivery) }
    }

    /// The oldest handed-over entry, if any.
    func take() -> ClaimedDelivery? {
        queue.withLockedValue { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
