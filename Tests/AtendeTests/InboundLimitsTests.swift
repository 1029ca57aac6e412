import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeTestSupport
import Foundation
import Testing

/// The limits on what a client, a channel or a contact can make the gateway do, and the LLM
/// budget: all driven by the time passed in, so nothing here sleeps.
@Suite struct InboundLimitsTests {
    static let t0: Int64 = 1_800_000_000_000

    @Test func aSlidingWindowAdmitsTheLimitThenSaysWhenToComeBack() {
        let limit = SlidingWindowLimit(limit: 3, windowMillis: 60_000)
        #expect(limit.admit("a", now: Self.t0) == nil)
        #expect(limit.admit("a", now: Self.t0 + 10_000) == nil)
        #expect(limit.admit("a", now: Self.t0 + 20_000) == nil)
        #expect(limit.admit("a", now: Self.t0 + 30_000) == Self.t0 + 60_000, "the fourth waits until the first leaves the window")
        #expect(limit.admit("b", now: Self.t0 + 30_000) == nil, "another key has its own window")
        #expect(limit.admit("a", now: Self.t0 + 60_001) == nil)
        #expect(limit.admit("a", now: Self.t0 + 60_002) == Self.t0 + 70_000)
    }

    @Test func recordedFailuresBlockUntilTheWindowPasses() {
        let failures = SlidingWindowLimit(limit: 2, windowMillis: 60_000)
        failures.record("10.0.0.1", now: Self.t0)
        #expect(failures.retryAt("10.0.0.1", now: Self.t0 + 1) == nil)
        failures.record("10.0.0.1", now: Self.t0 + 1)
        #expect(failures.retryAt("10.0.0.1", now: Self.t0 + 2) == Self.t0 + 60_000)
        #expect(failures.retryAt("10.0.0.2", now: Self.t0 + 2) == nil)
        #expect(failures.retryAt("10.0.0.1", now: Self.t0 + 60_001) == nil)
    }

    @Test func aFloodOfNewKeysCannotGrowMemoryBeyondTheCap() {
        let limit = SlidingWindowLimit(limit: 1, windowMillis: 60_000, maxKeys: 100)
        for index in 0..<10_000 { limit.record("client-\(index)", now: Self.t0 + Int64(index)) }
        // The newest are remembered; the oldest were forgotten to make room.
        #expect(limit.retryAt("client-9999", now: Self.t0 + 10_000) != nil)
        #expect(limit.retryAt("client-0", now: Self.t0 + 10_000) == nil)
    }

    @Test func anIPv6ClientIsItsSlash64() {
        #expect(AtendeRequestContext.clientKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64")
        #expect(AtendeRequestContext.clientKey("2001:0db8:0001:0002:bbbb:cccc:dddd:9") == "2001:db8:1:2::/64")
        #expect(AtendeRequestContext.clientKey("203.0.113.9") == "203.0.113.9")
        #expect(AtendeRequestContext.clientKey("not:an address") == "not:an address")
    }

    @Test func inFlightCountsPerKeyAndFreesOnLeave() {
        let inFlight = InFlightLimit(limit: 2)
        #expect(inFlight.enter("tg"))
        #expect(inFlight.enter("tg"))
        #expect(inFlight.enter("tg") == false)
        #expect(inFlight.enter("cw"))
        inFlight.leave("tg")
        #expect(inFlight.enter("tg"))
    }

    @Test func theLLMBudgetStopsTheModelForTheDayAndTellsOnce() {
        let budget = LLMBudget(dailyUSD: 1.0)
        let day: Int64 = 86_400_000
        let morning = (Self.t0 / day) * day + 3_600_000
        #expect(budget.allows(now: morning))
        budget.record(0.6, now: morning)
        #expect(budget.allows(now: morning + 1))
        #expect(budget.takeFirstRefusal(now: morning + 1) == false, "nothing refused yet")
        budget.record(0.5, now: morning + 2)
        #expect(budget.allows(now: morning + 3) == false)
        #expect(budget.takeFirstRefusal(now: morning + 3))
        #expect(budget.takeFirstRefusal(now: morning + 4) == false, "the business is told once a day")
        budget.record(-5, now: morning + 5)
        budget.record(.nan, now: morning + 5)
        #expect(budget.allows(now: morning + 6) == false, "negative or NaN costs from an endpoint give nothing back")
        #expect(budget.allows(now: morning + day), "a new day, a new budget")
    }

    /// A contact over `limits.contact_turns_per_minute` is answered once they slow down, with
    /// everything they wrote meanwhile in one turn.
    @Test func aContactWritingTooFastIsAnsweredOnceTheMinutePasses() async throws {
        struct Echo: Responder {
            func respond(to turn: Turn) async throws -> TurnAnswer {
                TurnAnswer(reply: Reply(text: "eco: " + turn.messages.map(\.text).joined(separator: " + ")))
            }
        }
        let time = ShiftedTime()
        let harness = try await GatewayHarness.start(responder: Echo(), time: time) { $0.limits.contactTurnsPerMinute = 2 }
        do {
            func send(_ id: Int, _ text: String) async throws {
                #expect(try await harness.post(try Repository.telegramUpdate("update-message-text.json", updateID: id, chatID: 5501, text: text)) == 200)
            }
            func replies() -> [String] { harness.telegram.sentMessages.compactMap { $0.body.value(at: "text")?.scalarText } }
            try await send(1, "um")
            try await eventually("the first answer") { replies() == ["eco: um"] }
            try await send(2, "dois")
            try await eventually("the second answer") { replies() == ["eco: um", "eco: dois"] }
            try await send(3, "três")
            try await send(4, "quatro")
            try await eventually("the third turn to be put off") { try await harness.get("/metrics").body.contains("atende_turns_deferred_total") }
            #expect(replies().count == 2)
            time.advance(millis: 61_000)
            try await eventually("the waiting messages answered together") { replies().last == "eco: três + quatro" }
            #expect(replies().count == 3)
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }
}

/// Numbers from outside are parsed with a range; arithmetic on them cannot trap.
@Suite struct OverflowTests {
    @Test(arguments: [
        ("30m", 1_800_000, false), ("2h", 7_200_000, false), ("3d", 259_200_000, false),
        ("365d", Ownership.maxPauseMillis, false), ("366d", Ownership.maxPauseMillis, true),
        ("9223372036854775807m", Ownership.maxPauseMillis, true), ("999999999999d", Ownership.maxPauseMillis, true),
        ("99999999999999999999999999h", Ownership.maxPauseMillis, true),
    ] as [(String, Int64, Bool)])
    func pauseLengthsAreCappedAtAYear(word: String, millis: Int64, capped: Bool) throws {
        let pause = try #require(PauseDuration(word))
        #expect(pause.millis == millis)
        #expect(pause.capped == capped)
    }

    @Test(arguments: ["-5h", "1e99h", "0m", "h", "5x", "٣h", "+5h", "5.5h", ""])
    func malformedPauseLengthsAreNotLengths(word: String) {
        #expect(PauseDuration(word) == nil)
    }

    @Test func aPauseFromTheEndOfTimeDoesNotOverflow() {
        let pause = Ownership.paused(since: Int64.max - 10, forMillis: Ownership.maxPauseMillis)
        #expect(pause.until == Int64.max)
        #expect(pause.silencesBot(now: Int64.max - 1, humanQuietMillis: 1000))
        #expect(Ownership(owner: .human, since: Int64.max).silencesBot(now: 0, humanQuietMillis: Int64.max) == false)
    }

    @Test func datesNoInt64OfMillisecondsHoldsAreNil() {
        #expect(Date(timeIntervalSince1970: 1e300).epochMillis == nil)
        #expect(Date(timeIntervalSince1970: -1e300).epochMillis == nil)
        #expect(Date(timeIntervalSince1970: .nan).epochMillis == nil)
        #expect(Date(timeIntervalSince1970: 1_800_000_000.5).epochMillis == 1_800_000_000_500)
    }

    @Test func tokenCountsFromAnEndpointAreHeldToARange() {
        let usage = TokenUsage(promptTokens: -5, completionTokens: Int.max)
        #expect(usage.promptTokens == 0)
        #expect(usage.completionTokens == 1_000_000_000)
        let sum = usage + usage + usage
        #expect(sum.completionTokens == 1_000_000_000)
    }
}

/// URLs the gateway calls are built from templates; values from payloads must not change the path.
@Suite struct OutboundURLTests {
    static let template = try! StringTemplate(parsing: "{{settings.api_base}}/api/v1/accounts/{{settings.account_id}}/conversations/{{conversation}}/messages")

    static func url(conversation: String) -> String? {
        template.urlText(in: .object([
            "settings": .object(["api_base": .string("https://chat.example.com"), "account_id": .string("2")]),
            "conversation": .string(conversation),
        ]))
    }

    @Test func placeholdersArePercentEncodedExceptTheBase() {
        #expect(Self.url(conversation: "57") == "https://chat.example.com/api/v1/accounts/2/conversations/57/messages")
        #expect(
            Self.url(conversation: "57/../../platform/api/v1/users?x=") ==
                "https://chat.example.com/api/v1/accounts/2/conversations/57%2F..%2F..%2Fplatform%2Fapi%2Fv1%2Fusers%3Fx%3D/messages"
        )
        #expect(Self.url(conversation: "a b#c") == "https://chat.example.com/api/v1/accounts/2/conversations/a%20b%23c/messages")
        #expect(Self.url(conversation: "5511988887777@s.whatsapp.net") == "https://chat.example.com/api/v1/accounts/2/conversations/5511988887777@s.whatsapp.net/messages")
        #expect(Self.url(conversation: "..") == nil, "a segment that climbs the path is refused")
        #expect(Self.url(conversation: ".") == nil)
    }

    @Test func aTelegramTokenStaysUsableInItsPath() throws {
        let telegram = try StringTemplate(parsing: "{{settings.api_base}}/bot{{settings.token}}/sendMessage")
        let url = telegram.urlText(in: .object(["settings": .object(["api_base": .string("https://api.telegram.org"), "token": .string("123456:ABC-def_GHI")])]))
        #expect(url == "https://api.telegram.org/bot123456:ABC-def_GHI/sendMessage")
    }
}

@Suite struct RedactionTests {
    @Test func platformTextLosesEchoedTextAndLongDigitRunsButKeepsCodes() {
        let echoed = #"{"error":{"code":131047,"message":"Olá \"Maria\"\nsua consulta"},"to":"5511988887777","id":5511988887777}"#
        let redacted = Redaction.platformText(echoed, removing: ["Olá \"Maria\"\nsua consulta", "5511988887777"])
        #expect(!redacted.contains("Maria"))
        #expect(!redacted.contains("5511988887777"))
        #expect(redacted.contains("131047"), "error codes are short and stay")
        #expect(Redaction.maskingDigitRuns("ligue 11 98888-7777 ou 5511988887777, pedido 1234567") == "ligue 11 98888-7777 ou …7777, pedido 1234567")
    }
}
