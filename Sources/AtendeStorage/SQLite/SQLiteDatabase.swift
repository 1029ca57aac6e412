import Foundation
import Glibc
import NIOPosix

/// The embedded store: one SQLite file in WAL mode behind one connection.
///
/// Transactions are serialized by a mutex: SQLite has one writer anyway, and that is what gives
/// the claim queries their "one conversation, one worker" guarantee in a single process.
///
/// Durability: a durable transaction (storing acknowledged webhooks) commits with
/// `synchronous = FULL`, which also makes every earlier commit durable; bookkeeping commits use
/// `NORMAL`, which survives a crash of the process but may roll back on power loss, in which
/// case a turn or delivery simply runs again.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let handle: SQLiteHandle
    private let mutex = AsyncMutex()
    /// The open `<path>.lock` file holding an exclusive `flock`, for an exclusive open.
    private let lockDescriptor: Int32?
    /// Copies the WAL into the database file in the background (exclusive opens only).
    private let checkpointer: Task<Void, Never>?

    private init(handle: SQLiteHandle, lockDescriptor: Int32?, checkpointer: Task<Void, Never>?) {
        self.handle = handle
        self.lockDescriptor = lockDescriptor
        self.checkpointer = checkpointer
    }

    /// Opens (creating if needed) the database file at `path`.
    /// - Parameter exclusive: refuse when another process holds the file exclusively.
    public static func open(path: String, exclusive: Bool = false) async throws -> SQLiteDatabase {
        var lockDescriptor: Int32?
        if exclusive {
            let descriptor = Glibc.open(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                if descriptor >= 0 { Glibc.close(descriptor) }
                throw SQLiteFailure(message: "\(path) is in use by another atende process (lock file \(path).lock); run one gateway per SQLite file, or use PostgreSQL for several")
            }
            lockDescriptor = descriptor
        }
        let handle = try await NIOThreadPool.singleton.runIfActive { try SQLiteHandle(path: path) }
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON"] {
            _ = try handle.execute(pragma, [])
        }
        var checkpointer: Task<Void, Never>?
        if exclusive {
            // SQLite checkpoints inside whichever commit fills the WAL, stalling every transaction
            // queued behind it. The gateway checkpoints from a second connection instead, off the
            // write path, once a second.
            _ = try handle.execute("PRAGMA wal_autocheckpoint = 0", [])
            let background = try await NIOThreadPool.singleton.runIfActive { try SQLiteHandle(path: path) }
            checkpointer = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    _ = try? await NIOThreadPool.singleton.runIfActive { try background.execute("PRAGMA wal_checkpoint(PASSIVE)", []) }
                }
                background.close()
            }
        }
        return SQLiteDatabase(handle: handle, lockDescriptor: lockDescriptor, checkpointer: checkpointer)
    }

    public func transaction<Result: Sendable>(durable: Bool, _ body: (any SQLSession) async throws -> Result) async throws -> Result {
        await mutex.lock()
        defer { mutex.unlock() }
        // The safety level is read at commit time and cannot change inside a transaction.
        if durable { _ = try handle.execute("PRAGMA synchronous = FULL", []) }
        defer { if durable { _ = try? handle.execute("PRAGMA synchronous = NORMAL", []) } }
        let session = SQLiteSession(handle: handle)
        _ = try handle.execute("BEGIN IMMEDIATE", [])
        do {
            let result = try await body(session)
            if durable {
                // The fsync runs off the cooperative threads so it does not stall other tasks.
                let handle = handle
                try await NIOThreadPool.singleton.runIfActive { _ = try handle.execute("COMMIT", []) }
            } else {
                _ = try handle.execute("COMMIT", [])
            }
            return result
        } catch {
            _ = try? handle.execute("ROLLBACK", [])
            throw error
        }
    }

    public func close() async throws {
        checkpointer?.cancel()
        await checkpointer?.value
        await mutex.lock()
        handle.close()
        if let lockDescriptor { Glibc.close(lockDescriptor) }
        mutex.unlock()
    }
}

struct SQLiteSession: SQLSession {
    let handle: SQLiteHandle

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try handle.execute(sql, binds)
    }
}
