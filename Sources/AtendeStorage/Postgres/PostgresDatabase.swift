import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// The production store: three pooled PostgreSQL clients, which must run (``run()``, as a service).
///
/// Most transactions are bookkeeping that is safe to redo (see `transaction(durable:)`): their
/// sessions commit without waiting for the disk (`synchronous_commit = off`). Durable work, such
/// as storing acknowledged webhooks, goes through a second, smaller pool whose sessions wait for
/// it. Claims of queued work go through a third, whose sessions also plan without sorting
/// (`enable_sort = off`): before its statistics catch up with a burst (a new install, a
/// campaign), PostgreSQL would otherwise read and sort every queued job on each claim (40 ms at
/// 2,500 queued) instead of walking the index to the first free one. Choosing the pool costs
/// nothing, where switching a setting per transaction costs a round trip (and a `BEGIN` and
/// `COMMIT` around it), so every claim is one round trip.
public final class PostgresDatabase: SQLDatabase, Service {
    public let dialect = SQLDialect.postgres
    private let client: PostgresClient
    private let durableClient: PostgresClient
    private let claimClient: PostgresClient
    private let logger: Logger

    public init(url: String, logger: Logger) throws {
        var configuration = try Self.configuration(url: url)
        configuration.options.maximumConnections = 4
        self.durableClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
        configuration.options.maximumConnections = 16
        configuration.options.additionalStartupParameters = [("synchronous_commit", "off")]
        self.client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        configuration.options.maximumConnections = 8
        configuration.options.additionalStartupParameters = [("synchronous_commit", "off"), ("enable_sort", "off")]
        self.claimClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.logger = logger
    }

    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.durableClient.run() }
            group.addTask { await self.claimClient.run() }
        }
    }

    /// Reads `postgres://user:password@host:port/database?sslmode=disable|prefer|require`.
    static func configuration(url: String) throws -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql", let host = components.host, !host.isEmpty
        else {
            throw DatabaseURLError(message: "not a PostgreSQL URL; expected postgres://user:password@host:port/database")
        }
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        let tls: PostgresClient.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "require": tls = .require(.makeClientConfiguration())
        case "prefer": tls = .prefer(.makeClientConfiguration())
        default: throw DatabaseURLError(message: "sslmode '\(sslMode)' is not one of disable, prefer, require")
        }
        let database = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        return PostgresClient.Configuration(
            host: host,
            port: components.port ?? 5432,
            username: components.user ?? "postgres",
            password: components.password,
            database: database.isEmpty ? nil : database,
            tls: tls
        )
    }

    public func transaction<Result: Sendable>(durable: Bool, _ body: (any SQLSession) async throws -> Result) async throws -> Result {
        do {
            return try await pool(durable: durable).withTransaction(logger: logger) { connection in
                try await body(PostgresSession(connection: connection, logger: logger))
            }
        } catch let error as PostgresTransactionError {
            // The store's own errors (such as a lost lease) come back wrapped; callers match on them.
            if let closureError = error.closureError { throw closureError }
            throw error
        }
    }

    /// One round trip: the statement is its own transaction.
    public func statement(durable: Bool, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await pool(durable: durable).withConnection { connection in
            try await PostgresSession(connection: connection, logger: logger).query(sql, binds)
        }
    }

    public func statement<Statement: FrequentStatement>(durable: Bool, _ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await pool(durable: durable).withConnection { connection in
            try await PostgresSession(connection: connection, logger: logger).query(statement, binds)
        }
    }

    public func claim<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await claimClient.withConnection { connection in
            try await PostgresSession(connection: connection, logger: logger).query(statement, binds)
        }
    }

    private func pool(durable: Bool) -> PostgresClient {
        durable ? durableClient : client
    }

    public func close() async throws {}
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "ATENDE_DATABASE_URL: \(message)" }
}

struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await Self.rows(connection.query(PostgresQuery(unsafeSQL: sql, binds: Self.bindings(binds)), logger: logger))
    }

    func query<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await Self.rows(connection.execute(Prepared<Statement>(bindings: Self.bindings(binds)), logger: logger))
    }

    static func bindings(_ binds: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .int(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .null: bindings.appendNull()
            }
        }
        return bindings
    }

    static func rows(_ rows: some AsyncSequence<PostgresRow, any Error>) async throws -> [SQLRow] {
        var result: [SQLRow] = []
        for try await row in rows {
            var values: [SQLValue] = []
            values.reserveCapacity(row.count)
            for cell in row {
                guard cell.bytes != nil else {
                    values.append(.null)
                    continue
                }
                switch cell.dataType {
                case .int8, .int4, .int2: values.append(.int(try cell.decode(Int64.self)))
                case .bool: values.append(.int(try cell.decode(Bool.self) ? 1 : 0))
                default: values.append(.text(try cell.decode(String.self)))
                }
            }
            result.append(SQLRow(values: values))
        }
        return result
    }
}

/// A ``FrequentStatement`` as PostgresNIO prepares it: prepared on each connection the first
/// time it runs there, named after a hash of its SQL. PostgresNIO would name it after the
/// statement's type, and PostgreSQL cuts names at 63 bytes: two types whose names begin alike
/// ("AtendeStorage.Prepared<AtendeTests.StoreConformanceTests.Explain…") got one name, and the
/// second was refused as already prepared.
struct Prepared<Statement: FrequentStatement>: PostgresPreparedStatement {
    typealias Row = PostgresRow
    static var sql: String { Statement.sql }
    static var name: String { statementName(sql) }
    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}

/// "atende_" and the 64-bit FNV-1a hash of `sql` in hex: 23 bytes, the same on every connection
/// and replica, different for different statements.
func statementName(_ sql: String) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in sql.utf8 {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01b3
    }
    return "atende_" + String(hash, radix: 16)
}
