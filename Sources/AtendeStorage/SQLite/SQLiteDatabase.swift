import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOPosix

/// The embedded store: one SQLite file in WAL mode behind one connection.
///
/// Transactions are serialized by a mutex: SQLite has one writer anyway, and that is what gives
/// the claim queries their "one conversation, one worker" guarantee in a single process.
/// Callers queued behind a running transaction join it and share its commit (see ``CommitBatch``);
/// each still returns only once its work is committed.
///
/// Durability: a durable transaction (storing acknowledged webhooks) commits with
/// `synchronous = FULL`, which also makes every earlier commit durable; bookkeeping commits use
/// `NORMAL`, which survives a crash of the process but may roll back on power loss, in which
/// case a turn or delivery simply runs again.
public final class SQLiteDatabase: SQLDatabase {
    public let dialect = SQLDialect.sqlite
    private let handle: SQLiteHandle
    private let mutex = AsyncMutex()
    /// The transaction callers are joining, if any; only touched by the mutex holder.
    nonisolated(unsafe) private var openedBatch: CommitBatch?
    /// Bounds how long the first caller of a busy moment waits for its commit.
    static let maxMembersPerCommit = 32
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
            let descriptor = openFile(path + ".lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            guard descriptor >= 0, flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                if descriptor >= 0 { closeFile(descriptor) }
                throw SQLiteFailure(message: "\(path) is in use by another atende process (lock file \(path).lock); run one gateway per SQLite file, or use PostgreSQL for several")
            }
            lockDescriptor = descriptor
        }
        // Owner-only: the file holds customers' phone numbers and messages. SQLite gives the WAL and
        // shared-memory files the database file's mode, so setting it here covers them too.
        let file = openFile(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if file >= 0 { closeFile(file) }
        for suffix in ["", "-wal", "-shm"] { _ = chmod(path + suffix, 0o600) }
        let handle = try await NIOThreadPool.singleton.runIfActive { try SQLiteHandle(path: path) }
        // secure_delete: an erased person's text is overwritten where its page is written anyway,
        // instead of lingering in free pages of the file.
        for pragma in ["PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON", "PRAGMA secure_delete = FAST"] {
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
        let batch: CommitBatch
        do {
            batch = try await openBatch(durable: durable)
        } catch {
            mutex.unlock()
            throw error
        }
        // Each caller's work is a savepoint in the shared transaction: its failure undoes only its own writes.
        let result: Result
        do {
            _ = try handle.execute("SAVEPOINT member", [])
            result = try await body(SQLiteSession(handle: handle))
            _ = try handle.execute("RELEASE member", [])
        } catch {
            if handle.isInTransaction {
                _ = try? handle.execute("ROLLBACK TO member", [])
                _ = try? handle.execute("RELEASE member", [])
                try? await finishIfLast(batch)
            } else {
                // SQLite ended the whole transaction (a full disk, an I/O error): the others fail too.
                openedBatch = nil
                if batch.durable { _ = try? handle.execute("PRAGMA synchronous = NORMAL", []) }
                batch.fail(error)
                mutex.unlock()
            }
            throw error
        }
        // Callers queued behind this one join the open transaction, and one commit serves them all.
        if mutex.hasWaiters, batch.members < Self.maxMembersPerCommit {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                batch.waiting.append(continuation)
                mutex.unlock()
            }
        } else {
            defer { mutex.unlock() }
            try await commit(batch)
        }
        return result
    }

    /// The transaction the mutex holder works in: the open one, or a new one. A durable caller
    /// never joins a transaction that will commit without waiting for the disk.
    private func openBatch(durable: Bool) async throws -> CommitBatch {
        if let batch = openedBatch {
            if durable && !batch.durable {
                try await commit(batch)
            } else {
                batch.members += 1
                return batch
            }
        }
        // The safety level is read at commit time and cannot change inside a transaction.
        if durable { _ = try handle.execute("PRAGMA synchronous = FULL", []) }
        do {
            _ = try handle.execute("BEGIN IMMEDIATE", [])
        } catch {
            if durable { _ = try? handle.execute("PRAGMA synchronous = NORMAL", []) }
            throw error
        }
        let batch = CommitBatch(durable: durable)
        openedBatch = batch
        return batch
    }

    /// After a failed member: commits what the others did when nobody else will.
    private func finishIfLast(_ batch: CommitBatch) async throws {
        defer { mutex.unlock() }
        if !mutex.hasWaiters { try await commit(batch) }
    }

    /// Commits the open transaction and tells every caller that joined it. Called by the mutex holder.
    private func commit(_ batch: CommitBatch) async throws {
        openedBatch = nil
        defer { if batch.durable { _ = try? handle.execute("PRAGMA synchronous = NORMAL", []) } }
        do {
            if batch.durable {
                // The fsync runs off the cooperative threads so it does not stall other tasks.
                let handle = handle
                try await NIOThreadPool.singleton.runIfActive { _ = try handle.execute("COMMIT", []) }
            } else {
                _ = try handle.execute("COMMIT", [])
            }
        } catch {
            _ = try? handle.execute("ROLLBACK", [])
            batch.fail(error)
            throw error
        }
        batch.succeed()
    }

    public func close() async throws {
        checkpointer?.cancel()
        await checkpointer?.value
        await mutex.lock()
        // Callers may have handed their open transaction to this last holder of the mutex.
        if let batch = openedBatch { try? await commit(batch) }
        handle.close()
        if let lockDescriptor { closeFile(lockDescriptor) }
        mutex.unlock()
    }
}

/// Callers sharing one SQLite transaction ("group commit"): on a single connection every
/// transaction is serialized anyway, and one commit for many callers writes each page once.
/// Only touched by the holder of ``SQLiteDatabase``'s mutex.
final class CommitBatch: @unchecked Sendable {
    let durable: Bool
    var members = 1
    /// Callers whose work is done, waiting for the commit before they return.
    var waiting: [CheckedContinuation<Void, any Error>] = []

    init(durable: Bool) {
        self.durable = durable
    }

    func succeed() {
        waiting.forEach { $0.resume() }
        waiting = []
    }

    func fail(_ error: any Error) {
        waiting.forEach { $0.resume(throwing: error) }
        waiting = []
    }
}

struct SQLiteSession: SQLSession {
    let handle: SQLiteHandle

    func query(_ sql: String, _ binds: [SQLValue]) async throws -> [SQLRow] {
        try handle.execute(sql, binds)
    }
}

// The C library's open and close, which the methods of the same names above would shadow.
private func openFile(_ path: String, _ flags: Int32, _ mode: mode_t) -> Int32 {
    #if canImport(Glibc)
    Glibc.open(path, flags, mode)
    #else
    Darwin.open(path, flags, mode)
    #endif
}

private func closeFile(_ descriptor: Int32) {
    #if canImport(Glibc)
    _ = Glibc.close(descriptor)
    #else
    _ = Darwin.close(descriptor)
    #endif
}
