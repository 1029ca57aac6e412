import AtendeAdapters
import AtendeCore
import Crypto
import Foundation
import Testing

/// Every verification scheme an adapter can declare, right and wrong, on a definition written
/// here so the tests do not change when a platform's file does.
@Suite struct VerificationTests {
    static func channel(_ verify: String, handshake: String = "", settings: [String: String]) throws -> Channel {
        let yaml = """
            id: "test"
            settings:
              secret: { secret: true }
              token: { secret: true }
            verify:
            \(verify)
            \(handshake)
            inbound:
              - name: "any"
                when: { exists: "id" }
                event: message
                id: "{{id}}"
                conversation: "{{chat}}"
                sender: { id: "{{chat}}" }
                text: "{{text}}"
            outbound:
              send_text: { url: "http://127.0.0.1/send", json: { text: "{{text}}" } }
            """
        return Channel(id: "test", definition: try AdapterDefinition.parse(yaml, file: "test.yaml"), settings: settings)
    }

    static func request(_ body: String, headers: [String: String] = [:], pathSecret: String? = nil) -> Channel.WebhookRequest {
        let lowered = Dictionary(uniqueKeysWithValues: headers.map { ($0.key.lowercased(), $0.value) })
        return Channel.WebhookRequest(
            header: { lowered[$0.lowercased()] },
            body: Array(body.utf8),
            pathSecret: pathSecret
        )
    }

    static func hmacHex(_ message: String, key: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Array(message.utf8), using: SymmetricKey(data: Array(key.utf8)))
            .map { String(format: "%02x", $0) }.joined()
    }

    static let body = #"{"id":"m1","chat":"5511988887777","text":"oi"}"#

    @Test func metaSignatureOverTheRawBody() throws {
        let channel = try Self.channel(
            "  - { header: \"X-Hub-Signature-256\", hmac_sha256: \"{{settings.secret}}\", prefix: \"sha256=\" }", settings: ["secret": "app-secret"]
        )
        let good = "sha256=" + Self.hmacHex(Self.body, key: "app-secret")
        #expect(channel.verify(Self.request(Self.body, headers: ["x-hub-signature-256": good])).isVerified)
        // One byte changed in the body: the signature no longer matches.
        let tampered = Self.body.replacingOccurrences(of: "oi", with: "oj")
        #expect(channel.verify(Self.request(tampered, headers: ["X-Hub-Signature-256": good])).isVerified == false)
        #expect(channel.verify(Self.request(Self.body, headers: ["X-Hub-Signature-256": "sha256=" + Self.hmacHex(Self.body, key: "other")])).isVerified == false)
        #expect(channel.verify(Self.request(Self.body)) == .rejected(reason: "missing X-Hub-Signature-256 header"))
    }

    @Test func chatwootSignsTimestampDotBodyWithinAWindowAndRefusesReplays() throws {
        let channel = try Self.channel(
            """
              - header: "X-Chatwoot-Signature"
                hmac_sha256: "{{settings.secret}}"
                prefix: "sha256="
                timestamp_header: "X-Chatwoot-Timestamp"
                max_age_seconds: 300
                delivery_header: "X-Chatwoot-Delivery"
            """,
            settings: ["secret": "bot-secret"]
        )
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        func headers(timestamp: Int, delivery: String, signedBody: String? = nil) -> [String: String] {
            [
                "X-Chatwoot-Signature": "sha256=" + Self.hmacHex("\(timestamp).\(signedBody ?? Self.body)", key: "bot-secret"),
                "X-Chatwoot-Timestamp": "\(timestamp)",
                "X-Chatwoot-Delivery": delivery,
            ]
        }
        let fresh = headers(timestamp: 1_800_000_000 - 10, delivery: "d-1")
        guard case .verified(_, let delivery?) = channel.verify(Self.request(Self.body, headers: fresh), now: now) else {
            Issue.record("a fresh signed delivery was not verified with its delivery id")
            return
        }
        #expect(delivery.id == "d-1")
        // Until the event is stored (`remember`), a redelivery passes: the first try may have failed with 503.
        #expect(channel.verify(Self.request(Self.body, headers: fresh), now: now).isVerified)
        channel.remember(delivery, now: now)
        #expect(channel.verify(Self.request(Self.body, headers: fresh), now: now) == .replayed(delivery: "d-1"))
        // Signing the body alone (the mistake of chatwoot/chatwoot#13809) does not verify.
        var bodyOnly = headers(timestamp: 1_800_000_000, delivery: "d-2")
        bodyOnly["X-Chatwoot-Signature"] = "sha256=" + Self.hmacHex(Self.body, key: "bot-secret")
        #expect(channel.verify(Self.request(Self.body, headers: bodyOnly), now: now).isVerified == false)
        let stale = headers(timestamp: 1_800_000_000 - 301, delivery: "d-3")
        guard case .rejected(let reason) = channel.verify(Self.request(Self.body, headers: stale), now: now) else {
            Issue.record("a stale timestamp was accepted")
            return
        }
        #expect(reason.contains("window"))
        // The timestamp is part of what is signed: moving it breaks the signature.
        var moved = headers(timestamp: 1_800_000_000 - 10, delivery: "d-4")
        moved["X-Chatwoot-Timestamp"] = "\(1_800_000_000 - 5)"
        #expect(channel.verify(Self.request(Self.body, headers: moved), now: now).isVerified == false)
        // Timestamps at the ends of Int64, or beyond it, are refused without overflowing.
        for timestamp in ["-9223372036854775808", "9223372036854775807", "99999999999999999999999", "NaN", "1e99", ""] {
            var extreme = headers(timestamp: 0, delivery: "d-5")
            extreme["X-Chatwoot-Timestamp"] = timestamp
            guard case .rejected(let reason) = channel.verify(Self.request(Self.body, headers: extreme), now: now) else {
                Issue.record("timestamp \(timestamp) was accepted")
                continue
            }
            #expect(reason.contains("X-Chatwoot-Timestamp"))
        }
    }

    @Test func bodyTokenAndURLSecretMustBothMatch() throws {
        let channel = try Self.channel(
            """
              - { path_secret: "{{settings.secret}}" }
              - { body: "token", equals: "{{settings.token}}" }
            """,
            settings: ["secret": "url-secret", "token": "instance-token"]
        )
        let body = #"{"id":"m1","chat":"5511988887777","text":"oi","token":"instance-token"}"#
        #expect(channel.verify(Self.request(body, pathSecret: "url-secret")).isVerified)
        #expect(channel.verify(Self.request(body, pathSecret: "wrong")).isVerified == false)
        #expect(channel.verify(Self.request(body)).isVerified == false)
        #expect(channel.verify(Self.request(body.replacingOccurrences(of: "instance-token", with: "x"), pathSecret: "url-secret")).isVerified == false)
        #expect(channel.verify(Self.request("not json", pathSecret: "url-secret")).isVerified == false)
    }

    @Test func aMissingSecretFailsClosed() throws {
        let channel = try Self.channel("  - { header: \"X-Secret\", equals: \"{{settings.secret}}\" }", settings: [:])
        #expect(channel.verify(Self.request(Self.body, headers: ["X-Secret": ""])).isVerified == false)
        let unverified = Channel(id: "test", definition: channel.definition, settings: [:], unverified: true)
        #expect(unverified.verify(Self.request(Self.body)).isVerified)
    }

    @Test func metaHandshakeEchoesTheChallengeOnlyForTheRightToken() throws {
        let channel = try Self.channel(
            "  - { header: \"X-Hub-Signature-256\", hmac_sha256: \"{{settings.secret}}\", prefix: \"sha256=\" }",
            handshake: "handshake: { equals: \"{{settings.token}}\" }",
            settings: ["secret": "s", "token": "verify-me"]
        )
        let query = ["hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"]
        #expect(try channel.handshake(query: query).get() == "1158201444")
        var wrong = query
        wrong["hub.verify_token"] = "nope"
        #expect(throws: Channel.HandshakeRefusal.self) { try channel.handshake(query: wrong).get() }
        var notSubscribe = query
        notSubscribe["hub.mode"] = "unsubscribe"
        #expect(throws: Channel.HandshakeRefusal.self) { try channel.handshake(query: notSubscribe).get() }
    }

    @Test func aDefinitionWithoutChecksIsALoadError() throws {
        #expect(throws: FileProblem.self) { try Self.channel("  []", settings: [:]) }
    }

    /// Header, URL and timestamp checks run on the head alone, before the body is read: an
    /// unauthenticated request costs neither its body's memory nor a parse.
    @Test func theHeadIsCheckedBeforeTheBodyIsRead() throws {
        let telegram = try Self.channel("  - { header: \"X-Secret\", equals: \"{{settings.secret}}\" }", settings: ["secret": "s3cret"])
        #expect(telegram.rejectionBeforeBody(header: { _ in nil }, pathSecret: nil) == "missing X-Secret header")
        #expect(telegram.rejectionBeforeBody(header: { $0 == "X-Secret" ? "wrong" : nil }, pathSecret: nil) == "wrong X-Secret header")
        #expect(telegram.rejectionBeforeBody(header: { $0 == "X-Secret" ? "s3cret" : nil }, pathSecret: nil) == nil)

        let chatwoot = try Self.channel(
            """
              - header: "X-Chatwoot-Signature"
                hmac_sha256: "{{settings.secret}}"
                prefix: "sha256="
                timestamp_header: "X-Chatwoot-Timestamp"
            """,
            settings: ["secret": "bot-secret"]
        )
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let fresh: [String: String] = ["X-Chatwoot-Signature": "sha256=00", "X-Chatwoot-Timestamp": "1800000000"]
        #expect(chatwoot.rejectionBeforeBody(header: { fresh[$0] }, pathSecret: nil, now: now) == nil, "the signature itself needs the body")
        let stale: [String: String] = ["X-Chatwoot-Signature": "sha256=00", "X-Chatwoot-Timestamp": "-9223372036854775808"]
        #expect(chatwoot.rejectionBeforeBody(header: { stale[$0] }, pathSecret: nil, now: now)?.contains("window") == true)
        #expect(chatwoot.rejectionBeforeBody(header: { _ in nil }, pathSecret: nil, now: now) == "missing X-Chatwoot-Signature header")

        // A body field (UazAPI's token) can only be checked with the body; the URL secret before it.
        let uazapi = try Self.channel(
            "  - { path_secret: \"{{settings.secret}}\" }\n  - { body: \"token\", equals: \"{{settings.token}}\" }", settings: ["secret": "url-secret", "token": "t"]
        )
        #expect(uazapi.rejectionBeforeBody(header: { _ in nil }, pathSecret: "wrong") == "wrong secret in the webhook URL")
        #expect(uazapi.rejectionBeforeBody(header: { _ in nil }, pathSecret: "url-secret") == nil)
    }
}
