import AtendeStorage
import Foundation
import Testing

/// SQLite transactions that arrive while another runs share its commit. Sharing must not change
/// what each caller sees: its work is committed when it returns, and undone alone when it throws.
struct SQLiteGroupCommitTests {
    struct Refused: Error {}

    static func withDatabase(_ body: (String, SQLiteDatabase) async throws -> Void) async throws {
        let directory = NSTemporaryDirectory() + "atende-group-commit-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/test.sqlite"
        let database = try await SQLiteDatabase.open(path: path, exclusive: true)
        _ = try await database.transaction(durable: true) { session in
            try await session.query("CREATE TABLE items (n INTEGER PRIMARY KEY)", [])
        }
        try await body(path, database)
    }

    static func storedNumbers(_ database: SQLiteDatabase) async throws -> Set<Int64> {
        try await database.transaction(durable: false) { session in
            Set(try await session.query("SELECT n FROM items", []).compactMap { $0.int(0) })
        }
    }

    @Test("of 60 concurrent transactions, the ones that throw are undone alone and the rest are committed, also after reopening")
    func failuresAreUndoneAlone() async throws {
        try await Self.withDatabase { path, database in
            let succeeded = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for n in Int64(0)..<60 {
                    group.addTask {
                        do {
                            try await database.transaction(durable: n % 5 == 0) { session in
                                _ = try await session.query("INSERT INTO items (n) VALUES ($1)", [.int(n)])
                                // A write, then a failure: the write must not survive.
                                if n % 4 == 1 { throw Refused() }
                                // A failing statement after a write: likewise.
                                if n % 4 == 2 { _ = try await session.query("INSERT INTO items (n) VALUES ($1)", [.int(n)]) }
                            }
                            return n
                        } catch {
                            return nil
                        }
                    }
                }
                var numbers: Set<Int64> = []
                for try await number in group { if let number { numbers.insert(number) } }
                return numbers
            }
            #expect(succeeded == Set((0..<60).filter { $0 % 4 == 0 || $0 % 4 == 3 }))
            #expect(try await Self.storedNumbers(database) == succeeded)
            try await database.close()

            let reopened = try await SQLiteDatabase.open(path: path, exclusive: true)
            #expect(try await Self.storedNumbers(reopened) == succeeded)
            try await reopened.close()
        }
    }

    @Test("a transaction that read another's uncommitted write in the same commit sees it committed when it returns")
    func laterMembersBuildOnEarlierOnes() async throws {
        try await Self.withDatabase { _, database in
            // Each transaction takes the next number after the highest stored one; serial
            // execution inside shared commits must hand out every number exactly once.
            let taken = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await database.transaction(durable: false) { session in
                            let highest = try await session.query("SELECT COALESCE(MAX(n), 0) FROM items", []).first?.int(0) ?? 0
                            _ = try await session.query("INSERT INTO items (n) VALUES ($1)", [.int(highest + 1)])
                            return highest + 1
                        }
                    }
                }
                var numbers: [Int64] = []
                for try await number in group { numbers.append(number) }
                return numbers
            }
            #expect(taken.sorted() == Array(1...40))
            #expect(try await Self.storedNumbers(database) == Set(1...40))
            try await database.close()
        }
    }

    @Test("binding fewer values than a statement has parameters is an error, not a stale value from the last run")
    func parameterCountIsChecked() async throws {
        try await Self.withDatabase { _, database in
            _ = try await database.transaction(durable: false) { session in
                try await session.query("INSERT INTO items (n) VALUES ($1)", [.int(7)])
            }
            await #expect(throws: (any Error).self) {
                try await database.transaction(durable: false) { session in
                    try await session.query("INSERT INTO items (n) VALUES ($1)", [])
                }
            }
            #expect(try await Self.storedNumbers(database) == [7])
            try await database.close()
        }
    }
}
