import AtendeCore
import Testing

@Suite(.serialized) struct ZZScratchDeadlock {
    @Test(arguments: StoreConformanceTests.backends)
    func reversedBatches(_ backend: StoreConformanceTests.Backend) async throws {
        try await StoreConformanceTests.withStore(backend) { store in
            _ = try await store.ingest([StoreConformanceTests.inbound("A", "a0", "x"), StoreConformanceTests.inbound("B", "b0", "x")], debounceMillis: 0)
            var failures = 0
            for i in 0..<20 {
                let results = await withTaskGroup(of: String?.self) { group in
                    group.addTask { do { _ = try await store.ingest([StoreConformanceTests.inbound("A", "a\(i)x", "x"), StoreConformanceTests.inbound("B", "b\(i)x", "x")], debounceMillis: 0); return nil } catch { return "\(error)" } }
                    group.addTask { do { _ = try await store.ingest([StoreConformanceTests.inbound("B", "b\(i)y", "x"), StoreConformanceTests.inbound("A", "a\(i)y", "x")], debounceMillis: 0); return nil } catch { return "\(error)" } }
                    var r: [String] = []
                    for await e in group { if let e { r.append(e) } }
                    return r
                }
                failures += results.count
                if let e = results.first { print("iteration \(i): \(e.prefix(400))") }
            }
            print("SCRATCH \(backend): \(failures) failed ingests of 40")
        }
    }
}
