import AtendeCore
import AtendeServer
import AtendeStorage
import AtendeTestSupport
import Crypto
import Foundation
import Logging
import Testing

/// A webhook the store could not take (503) is stored when the platform retries it, even when
/// the platform signs each delivery with an id it repeats on the retry (Chatwoot).
@Suite struct IngestOutageTests {
    static let secret = "chatwoot-outage-secret-0001"

    static func signed(_ body: String, delivery: String) -> [String: String] {
        let timestamp = Int(Date().timeIntervalSince1970)
        let signature = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        return ["X-Chatwoot-Signature": "sha256=" + signature, "X-Chatwoot-Timestamp": "\(timestamp)", "X-Chatwoot-Delivery": delivery]
    }

    @Test func aChatwootDeliveryRefusedWith503IsStoredOnceWhenRetried() async throws {
        let api = FakePlatformAPI()
        let apiServer = try await api.start()
        let path = try Repository.temporaryDirectory() + "/atende.sqlite"
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [ChannelConfiguration(id: "cw", adapter: "chatwoot", settings: [
                "api_access_token": "bot-token", "account_id": "2", "webhook_secret": Self.secret, "api_base": apiServer.baseURL,
            ])],
            databaseURL: path
        )
        // The outage is real: a second connection to the same file makes every insert of a message fail.
        var logger = Logger(label: "outage")
        logger.logLevel = .critical
        let saboteur = try await OpenedStore.open(url: path, logger: logger)
        func sql(_ statement: String) async throws {
            _ = try await saboteur.store.database.transaction(durable: true) { try await $0.query(statement, []) }
        }
        do {
            let body = try Repository.fixture("chatwoot", "message_created-api-inbox-via-evolution.json")
            let url = server.baseURL + "/webhooks/cw"
            try await sql("CREATE TRIGGER outage BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'injected outage'); END")
            #expect(try await GatewayHarness.post(url, body: body, headers: Self.signed(body, delivery: "delivery-1")) == 503)
            #expect(try await gateway.runtime.store.counts().inboundMessages == 0)

            try await sql("DROP TRIGGER outage")
            // Chatwoot's retry: same body, same delivery id, a fresh signature.
            #expect(try await GatewayHarness.post(url, body: body, headers: Self.signed(body, delivery: "delivery-1")) == 200)
            #expect(try await gateway.runtime.store.counts().inboundMessages == 1)
            // Once stored, the same delivery again is a duplicate.
            #expect(try await GatewayHarness.post(url, body: body, headers: Self.signed(body, delivery: "delivery-1")) == 200)
            #expect(try await gateway.runtime.store.counts().inboundMessages == 1)
            try await eventually("the reply, and nothing left to do") {
                let counts = try await gateway.runtime.store.counts()
                return counts.unhandledMessages == 0 && counts.queuedTurns == 0 && counts.pendingDeliveries == 0 && counts.sentDeliveries > 0
            }
            #expect(api.calls.filter { $0.path.hasSuffix("/conversations/4/messages") }.count == 1)
        } catch {
            Issue.record(error)
        }
        try await saboteur.store.close()
        try await server.stop()
        try await apiServer.stop()
    }
}
