import AtendeCore
import Foundation
import Logging
import ServiceLifecycle

/// A store opened from `ATENDE_DATABASE_URL`: a SQLite path, or a `postgres://` URL whose
/// connection pools must run (as a service, or through ``withRunning(_:)``) while the store is used.
public struct OpenedStore: Sendable {
    public let store: SQLGatewayStore
    /// The PostgreSQL database; `nil` for SQLite.
    public let postgres: PostgresDatabase?

    /// - Parameter exclusive: for the gateway itself. A SQLite file then belongs to this process
    ///   alone: a second `atende serve` on it is refused, since the gateway frees the leases it
    ///   finds at start. PostgreSQL is always shared.
    public static func open(url: String, logger: Logger, exclusive: Bool = false) async throws -> OpenedStore {
        if isPostgres(url) {
            let database = try PostgresDatabase(url: url, logger: logger)
            return OpenedStore(store: SQLGatewayStore(database: database), postgres: database)
        }
        let path = url.hasPrefix("sqlite://") ? String(url.dropFirst("sqlite://".count)) : url
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let database = try await SQLiteDatabase.open(path: path, exclusive: exclusive)
        return OpenedStore(store: SQLGatewayStore(database: database), postgres: nil)
    }

    public static func isPostgres(_ url: String) -> Bool {
        url.hasPrefix("postgres://") || url.hasPrefix("postgresql://")
    }

    /// Runs `body` with the store usable, for commands and tests that are not a service group.
    public func withRunning<Result: Sendable>(_ body: @Sendable (SQLGatewayStore) async throws -> Result) async throws -> Result {
        guard let postgres else {
            defer { Task { [store] in try? await store.close() } }
            return try await body(store)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await postgres.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
