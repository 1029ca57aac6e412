import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Testing

/// Platforms repeat the request in their errors. Neither the contact's phone number nor the
/// reply's text may reach the log or the outbox row's stored error through them.
@Suite struct PersonalDataInLogsTests {
    struct Greeter: Responder {
        static let text = "Olá Maria, sua consulta de terça está confirmada"

        func respond(to turn: Turn) async throws -> TurnAnswer {
            TurnAnswer(reply: Reply(text: Self.text))
        }
    }

    @Test func aPlatformErrorEchoingTheRequestIsStoredAndLoggedWithoutThePhoneOrTheText() async throws {
        let api = FakePlatformAPI()
        let apiServer = try await api.start()
        let log = CapturedLog()
        api.failNextEchoingTheRequest(with: [400])
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [ChannelConfiguration(id: "wa", adapter: "uazapi", settings: [
                "token": "xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "webhook_secret": "url-secret-0123456789", "api_base": apiServer.baseURL,
            ])],
            responder: Greeter(), logger: log.logger()
        )
        do {
            let body = try Repository.fixture("uazapi", "messages-text-incoming.json")
            #expect(try await GatewayHarness.post(server.baseURL + "/webhooks/wa/url-secret-0123456789", body: body, headers: [:]) == 200)
            try await eventually("the entry to be dead after the platform's 400") { try await gateway.runtime.store.deliveries(state: "dead", limit: 10).count == 1 }
            let dead = try #require(try await gateway.runtime.store.deliveries(state: "dead", limit: 10).first)
            let stored = try #require(dead.lastError)
            #expect(stored.contains("HTTP 400"), "the error still says what happened: \(stored)")
            #expect(stored.contains("invalid request"))
            for secret in ["5511988887777", "988887777", "Olá Maria", "consulta de terça"] {
                #expect(!stored.contains(secret), "the stored error holds '\(secret)': \(stored)")
                #expect(!log.text.contains(secret), "the log holds '\(secret)'")
            }
            #expect(log.text.contains("delivery failed for good"), "the failure itself is logged")
        } catch {
            Issue.record(error)
        }
        try await server.stop()
        try await apiServer.stop()
    }
}
