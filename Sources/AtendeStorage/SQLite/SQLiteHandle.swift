import CSQLite

/// One SQLite connection driven through the C API of our own SQLite (`Sources/CSQLite`).
///
/// Statements run inline on the calling thread and are prepared once and cached: a statement
/// costs microseconds, where a thread-pool hop per statement cost a hundred times more.
///
/// `@unchecked Sendable` because the handle and the cache are only touched by the one task that
/// holds ``SQLiteDatabase``'s mutex; SQLite is also opened in serialized (FULLMUTEX) mode.
final class SQLiteHandle: @unchecked Sendable {
    private var database: OpaquePointer?
    private var statements: [String: OpaquePointer] = [:]
    /// `SQLITE_TRANSIENT`: SQLite copies bound text before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(path: String) throws {
        let flags = SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX
        let status = sqlite_nio_sqlite3_open_v2(path, &database, flags, nil)
        guard status == SQLITE_OK else {
            let message = database.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "status \(status)"
            sqlite_nio_sqlite3_close_v2(database)
            throw SQLiteFailure(message: "cannot open \(path): \(message)")
        }
        sqlite_nio_sqlite3_busy_timeout(database, 5000)
    }

    deinit {
        close()
    }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement) }
        statements = [:]
        if let database { sqlite_nio_sqlite3_close_v2(database) }
        database = nil
    }

    /// False once SQLite has ended the transaction itself (after some errors it rolls back all of it).
    var isInTransaction: Bool {
        database.map { sqlite_nio_sqlite3_get_autocommit($0) == 0 } ?? false
    }

    func execute(_ sql: String, _ binds: [SQLValue]) throws -> [SQLRow] {
        let statement = try prepared(sql)
        // Every parameter is bound anew on each run, so the old values need no clearing; clearing
        // them would also make SQLite re-plan some statements (those whose plan looked at a bound
        // value) on every run.
        defer { sqlite_nio_sqlite3_reset(statement) }
        guard binds.count == Int(sqlite_nio_sqlite3_bind_parameter_count(statement)) else {
            throw SQLiteFailure(message: "\(binds.count) values for \(sqlite_nio_sqlite3_bind_parameter_count(statement)) parameters in: \(sql.prefix(120))")
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .int(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, number)
            case .text(let text):
                // The byte count, not -1: text is bound whole even if it holds a NUL.
                status = sqlite_nio_sqlite3_bind_text(statement, index, text, Int32(text.utf8.count), Self.transient)
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            }
            guard status == SQLITE_OK else { throw failure(sql) }
        }
        var rows: [SQLRow] = []
        let columns = sqlite_nio_sqlite3_column_count(statement)
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLITE_ROW:
                var values: [SQLValue] = []
                values.reserveCapacity(Int(columns))
                for column in 0..<columns {
                    switch sqlite_nio_sqlite3_column_type(statement, column) {
                    case SQLITE_NULL: values.append(.null)
                    case SQLITE_INTEGER: values.append(.int(sqlite_nio_sqlite3_column_int64(statement, column)))
                    default:
                        let text = sqlite_nio_sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
                        values.append(.text(text))
                    }
                }
                rows.append(SQLRow(values: values))
            case SQLITE_DONE:
                return rows
            default:
                throw failure(sql)
            }
        }
    }

    private func prepared(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        // The store writes `$1`, PostgreSQL's placeholder; to SQLite that is a named parameter,
        // and `?1` is the numbered one with the same meaning.
        let numbered = String(sql.map { $0 == "$" ? "?" : $0 })
        guard sqlite_nio_sqlite3_prepare_v2(database, numbered, -1, &statement, nil) == SQLITE_OK, let statement else {
            throw failure(sql)
        }
        statements[sql] = statement
        return statement
    }

    private func failure(_ sql: String) -> SQLiteFailure {
        let message = database.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "closed"
        let code = database.map { sqlite_nio_sqlite3_extended_errcode($0) } ?? 0
        return SQLiteFailure(message: "\(message) (code \(code)) in: \(sql.prefix(120))")
    }
}

public struct SQLiteFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "SQLite: \(message)" }
}
