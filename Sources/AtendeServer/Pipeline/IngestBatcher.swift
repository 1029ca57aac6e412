import AtendeCore

/// Group commit: webhooks arriving together are stored in one transaction, so the cost of a
/// durable commit is shared. Each caller still gets its own outcomes, and only after the commit.
public actor IngestBatcher {
    private let store: any GatewayStore
    private let debounceMillis: Int64
    private var pending: [(items: [IngestItem], continuation: CheckedContinuation<[IngestOutcome], any Error>)] = []
    private var isFlushing = false
    /// Bounds one transaction; the rest wait for the next.
    static let maxRequestsPerBatch = 256

    public init(store: any GatewayStore, debounceMillis: Int64) {
        self.store = store
        self.debounceMillis = debounceMillis
    }

    public func ingest(_ items: [IngestItem]) async throws -> [IngestOutcome] {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((items, continuation))
            if !isFlushing {
                isFlushing = true
                Task { await self.flush() }
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = Array(pending.prefix(Self.maxRequestsPerBatch))
            pending.removeFirst(batch.count)
            do {
                let outcomes = try await store.ingest(batch.flatMap(\.items), debounceMillis: debounceMillis)
                var offset = 0
                for request in batch {
                    request.continuation.resume(returning: Array(outcomes[offset..<offset + request.items.count]))
                    offset += request.items.count
                }
            } catch {
                // One bad request must not fail its neighbours: retry them one by one.
                for request in batch {
                    do {
                        request.continuation.resume(returning: try await store.ingest(request.items, debounceMillis: debounceMillis))
                    } catch {
                        request.continuation.resume(throwing: error)
                    }
                }
            }
        }
        isFlushing = false
    }
}
