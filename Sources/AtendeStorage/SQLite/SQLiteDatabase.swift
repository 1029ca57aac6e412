import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The embedded store: one SQLite file in WAL mode behind one connection.
///
/// sqlite-nio has no pool and runs each statement on a thread pool, so transactions are
/// serialized here; that also gives the "one writer" contract the claim queries rely on.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let connection: SQLiteConnection
    private let mutex = AsyncMutex()

    private init(connection: SQLiteConnection) {
        self.connection = connection
    }

    /// Opens (creating if needed) the database file at `path`.
    public static func open(path: String, logger: Logger) async throws -> SQLiteDatabase {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        // WAL lets readers run beside the writer; FULL makes every acknowledged commit survive
        // a power cut, not only a crash. Group commit keeps that affordable.
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA busy_timeout = 5000", "PRAGMA foreign_keys = ON"] {
            _ = try await connection.query(pragma, [])
        }
        return SQLiteDatabase(connection: connection)
    }

    public func transaction<Result: Sendable>(_ body: (any SQLSession) async throws -> Result) async throws -> Result {
        let session = SQLiteSession(connection: connection)
        await mutex.lock()
        do {
            _ = try await connection.query("BEGIN IMMEDIATE", [])
            do {
                let result = try await body(session)
                _ = try await connection.query("COMMIT", [])
                await mutex.unlock()
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        } catch {
            await mutex.unlock()
            throw error
        }
    }

    public func close() async throws {
        try await connection.close()
    }
}

struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        // `$1` is a named parameter to SQLite; `?1` is the numbered one with the same meaning.
        let rows = try await connection.query(sql.replacingOccurrences(of: "$", with: "?"), binds.map(\.sqliteData))
        return rows.map { row in
            SQLRow(values: row.columns.map { column in
                switch column.data {
                case .integer(let number): return .int(Int64(number))
                case .text(let text): return .text(text)
                case .float(let number): return .int(Int64(number))
                case .blob(let buffer): return .text(String(buffer: buffer))
                case .null: return .null
                }
            })
        }
    }
}

extension SQLValue {
    var sqliteData: SQLiteData {
        switch self {
        case .int(let number): return .integer(Int(number))
        case .text(let text): return .text(text)
        case .null: return .null
        }
    }
}
