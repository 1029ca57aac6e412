import AtendeAdapters
import AtendeCore
import AtendeServer
import AtendeStorage
import AtendeTestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing

/// What the gateway does safely without being told to: private files, strong secrets, a cap on
/// work in flight, and old personal data deleted.
@Suite struct SecureDefaultsTests {
    @Test func theSQLiteFileAndItsWALAreTheOwnersOnly() async throws {
        let harness = try await GatewayHarness.start()
        do {
            let path = harness.gateway.runtime.configuration.databaseURL
            var contact = ConversationScenarioTests.Contact(harness, chat: 9701)
            _ = try await contact.say("oi")
            for file in [path, path + "-wal"] {
                let attributes = try FileManager.default.attributesOfItem(atPath: file)
                let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
                #expect(mode & 0o077 == 0, "\(file) is readable by others: \(String(mode, radix: 8))")
            }
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    @Test func secretsTheBusinessChoosesMustBeLong() throws {
        var configuration = GatewayConfiguration()
        configuration.adaptersDirectory = Repository.adapters
        configuration.channels = [
            ChannelConfiguration(id: "tg", adapter: "telegram", settings: ["token": "1:a", "webhook_secret": "short"]),
            ChannelConfiguration(id: "wa", adapter: "uazapi", settings: ["token": "t", "webhook_secret": "a-long-random-secret-42", "api_base": "https://x.uazapi.com"]),
            // Chatwoot generates its own secret: its length is not the business's choice.
            ChannelConfiguration(id: "cw", adapter: "chatwoot", settings: ["api_access_token": "t", "account_id": "1", "webhook_secret": "abc"]),
        ]
        let channels = try configuration.loadChannels()
        let weak = channels.flatMap(\.weakSettings)
        #expect(weak.count == 1)
        #expect(weak.first?.contains("channel 'tg': webhook_secret has 5 characters; use at least 16") == true)
    }

    @Test func uazapiHasNoPublicServerByDefault() throws {
        var configuration = GatewayConfiguration()
        configuration.adaptersDirectory = Repository.adapters
        configuration.channels = [ChannelConfiguration(id: "wa", adapter: "uazapi", settings: ["token": "t", "webhook_secret": "a-long-random-secret-42"])]
        let problem = try #require(throws: FileProblem.self) { try configuration.loadChannels() }
        #expect(problem.description.contains("missing required setting 'api_base'"))
    }

    /// Over `limits.webhooks_in_flight` a channel's requests get 503 with Retry-After; others go on.
    @Test func aChannelOverItsInFlightCapIsToldToComeBack() async throws {
        let harness = try await GatewayHarness.start { $0.limits.webhooksInFlight = 1 }
        do {
            let port = Int(harness.server.baseURL.split(separator: ":").last ?? "") ?? 0
            // One request whose body never ends holds the channel's only place.
            let slow = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
            defer { slow.close(promise: nil) }
            let head = "POST /webhooks/tg HTTP/1.1\r\nHost: x\r\nX-Telegram-Bot-Api-Secret-Token: \(GatewayHarness.secret)\r\nContent-Length: 1000\r\n\r\n{"
            try await slow.writeAndFlush(ByteBuffer(string: head))
            let body = try Repository.telegramUpdate("update-message-text.json", updateID: 1, chatID: 9702, text: "oi")
            var status = 0
            try await eventually("the second request to be refused while the first is in flight") {
                status = try await harness.post(body)
                return status == 503
            }
            // Once the slow one is gone, the channel takes requests again.
            slow.close(promise: nil)
            try await eventually("the channel to take requests again") { try await harness.post(body) == 200 }
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// The daily retention job runs at start: what is older than retention.messages_days goes.
    @Test func retentionDeletesOldMessagesWhenTheGatewayRuns() async throws {
        let path = try Repository.temporaryDirectory() + "/atende.sqlite"
        var logger = Logger(label: "retention")
        logger.logLevel = .critical
        let opened = try await OpenedStore.open(url: path, logger: logger)
        let day: Int64 = 86_400_000
        let now = SystemTime().nowMillis()
        try await opened.withRunning { store in
            try await store.migrate()
            for (id, age) in [("old", 40 * day), ("recent", 2 * day)] {
                let item = IngestItem(
                    channelID: "tg", event: InboundEvent(kind: .message, platformEventID: id, conversation: "9703", sender: Sender(id: "9703"), text: "mensagem \(id)"),
                    traceID: id, receivedAt: now - age
                )
                _ = try await store.ingest([item], debounceMillis: 0)
                let claim = try #require(try await store.claimTurn(worker: "w", now: now - age, leaseMillis: 30_000))
                #expect(try await store.completeTurn(claim, outbox: [], now: now - age))
            }
        }
        let harness = try await GatewayHarness.start(databaseURL: path) { $0.retention.messagesDays = 30 }
        do {
            try await eventually("the old message to be deleted") { try await harness.counts().inboundMessages == 1 }
            let store = try #require(harness.gateway.runtime.store as? SQLGatewayStore)
            let left = try await store.exportContacts(try await store.contactIDs(matching: "tg:9703"), now: now).encodedString()
            #expect(left.contains("mensagem recent") && !left.contains("mensagem old"))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }
}
