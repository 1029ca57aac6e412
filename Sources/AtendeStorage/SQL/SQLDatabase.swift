/// A value bound to or read from SQL. Times are stored as milliseconds (`int`), JSON as `text`.
public enum SQLValue: Sendable, Hashable {
    case int(Int64)
    case text(String)
    case null

    public static func optional(_ text: String?) -> SQLValue {
        text.map(SQLValue.text) ?? .null
    }
}

public struct SQLRow: Sendable {
    public var values: [SQLValue]

    public init(values: [SQLValue]) {
        self.values = values
    }

    public func int(_ index: Int) -> Int64? {
        if case .int(let number) = values[index] { return number }
        if case .text(let text) = values[index] { return Int64(text) }
        return nil
    }

    public func string(_ index: Int) -> String? {
        switch values[index] {
        case .text(let text): return text
        case .int(let number): return String(number)
        case .null: return nil
        }
    }
}

/// The differences between the two SQL engines that the shared store code must know about.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres

    /// Row locking for claim queries. SQLite needs none: its writers are serialized.
    func lockClause(_ tables: String) -> String {
        switch self {
        case .sqlite: return ""
        case .postgres: return " FOR UPDATE OF \(tables) SKIP LOCKED"
        }
    }

    var identityColumn: String {
        switch self {
        case .sqlite: return "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: return "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
        }
    }
}

/// One connection inside a transaction. SQL uses `$1`, `$2`… placeholders on both engines.
public protocol SQLSession {
    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    func query<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow]
}

extension SQLSession {
    public func query<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await query(Statement.sql, binds)
    }
}

/// A statement the store runs for every message. PostgreSQL parses it once per connection (a
/// named prepared statement) instead of on every run; SQLite caches every statement anyway.
/// It is prepared with its first run's values, where a null tells nothing of a parameter's type,
/// so its SQL must give each parameter a type by its context or a cast.
public protocol FrequentStatement: Sendable {
    static var sql: String { get }
}

/// A database the store runs transactions on.
public protocol SQLDatabase: Sendable {
    var dialect: SQLDialect { get }
    /// Runs `body` in one transaction: committed when it returns, rolled back when it throws.
    /// - Parameter durable: `true` when the commit must survive power loss before returning
    ///   (acknowledged webhooks). Bookkeeping that is safe to redo after a power loss passes
    ///   `false` and skips waiting for the disk.
    func transaction<Result: Sendable>(durable: Bool, _ body: (any SQLSession) async throws -> Result) async throws -> Result
    /// Runs one statement as a transaction of its own; on PostgreSQL without `BEGIN` and `COMMIT`
    /// round trips around it.
    func statement(durable: Bool, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow]
    func statement<Statement: FrequentStatement>(durable: Bool, _ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow]
    /// One statement that claims queued work (a turn, a delivery), safe to redo: it must read the
    /// queue in index order and stop at the first free item, never sort the whole queue.
    func claim<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow]
    func close() async throws
}

extension SQLDatabase {
    public func statement(durable: Bool, _ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await transaction(durable: durable) { try await $0.query(sql, binds) }
    }

    public func statement<Statement: FrequentStatement>(durable: Bool, _ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await transaction(durable: durable) { try await $0.query(statement, binds) }
    }

    public func claim<Statement: FrequentStatement>(_ statement: Statement.Type, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try await self.statement(durable: false, statement, binds)
    }
}
