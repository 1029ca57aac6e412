import AtendeAdapters
import AtendeAgents
import AtendeCore
import AtendeServer
import AtendeUnderstanding
import AtendeTestSupport
import Foundation
import Testing

/// Files admins edit: every mistake is reported with the file and line to fix.
@Suite struct ConfigurationTests {
    func load(_ yaml: String, environment: [String: String] = [:]) throws -> GatewayConfiguration {
        let file = try Repository.temporaryDirectory() + "/atende.yaml"
        try yaml.write(toFile: file, atomically: true, encoding: .utf8)
        var configuration = try GatewayConfiguration.load(file: file, environment: environment)
        configuration.adaptersDirectory = Repository.adapters
        return configuration
    }

    func problem(_ body: () throws -> Any) -> FileProblem? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? FileProblem
        }
    }

    /// The committed example, with every commented-out channel switched on, is a valid configuration.
    @Test func theExampleConfigurationLoadsWithEveryChannel() throws {
        let example = try String(contentsOfFile: Repository.root + "/atende.example.yaml", encoding: .utf8)
        // Channel blocks are commented as "  # - id:" and "  #   key:"; prose comments are "  # Word…".
        var inChannels = false
        let enabled = example.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            if line.hasPrefix("channels:") { inChannels = true }
            if inChannels, line.hasPrefix("  # - ") || line.hasPrefix("  #   ") { return "  " + line.dropFirst(4) }
            return String(line)
        }.joined(separator: "\n")
        var environment: [String: String] = [:]
        for name in ["TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "UAZAPI_INSTANCE_TOKEN", "UAZAPI_WEBHOOK_SECRET", "META_ACCESS_TOKEN",
                     "META_APP_SECRET", "META_VERIFY_TOKEN", "CHATWOOT_BOT_TOKEN", "CHATWOOT_WEBHOOK_SECRET", "EVOLUTION_API_KEY",
                     "EVOLUTION_WEBHOOK_SECRET", "ZAPI_INSTANCE_ID", "ZAPI_TOKEN", "ZAPI_CLIENT_TOKEN", "ZAPI_WEBHOOK_SECRET"] {
            environment[name] = "value-of-\(name)"
        }
        let channels = try load(enabled, environment: environment).loadChannels()
        #expect(Set(channels.map(\.definition.id)) == ["telegram", "uazapi", "whatsapp-cloud", "chatwoot", "evolution", "zapi"])
        #expect(channels.first { $0.id == "whatsapp" }?.webhookPath == "/webhooks/whatsapp/<webhook_secret>")
    }

    @Test func aChannelCanBeTheTeams() throws {
        let configuration = try load(
            """
            channels:
              - { id: "owner", adapter: "telegram", audience: "team", settings: { token: "1:a", webhook_secret: "abc" } }
              - { id: "shop", adapter: "telegram", settings: { token: "2:b", webhook_secret: "abc" } }
            """,
            environment: [:]
        )
        #expect(configuration.orchestrator.teamChannels == ["owner"])
        let problem = try #require(throws: FileProblem.self) {
            try load("channels:\n  - { id: \"x\", adapter: \"telegram\", audience: \"staff\" }\n", environment: [:])
        }
        #expect(problem.description.contains("audience must be"))
    }

    @Test func readsValuesAndEnvironmentOverrides() throws {
        let configuration = try load(
            """
            server: { port: 9000 }
            pipeline: { debounce_ms: 1500, run_workers: no }
            channels:
              - id: "tg"
                adapter: "telegram"
                settings: { token: "${BOT_TOKEN}", webhook_secret: "abc" }
            """,
            environment: ["BOT_TOKEN": "123:x", "ATENDE_SERVER_PORT": "9100", "ATENDE_DATABASE_URL": "postgres://u@127.0.0.1/db"]
        )
        #expect(configuration.port == 9100)
        #expect(configuration.debounceMillis == 1500)
        #expect(configuration.runWorkers == false)
        #expect(configuration.usesPostgres)
        let channels = try configuration.loadChannels()
        #expect(channels.first?.settings["token"] == "123:x")
        #expect(channels.first?.settings["api_base"] == "https://api.telegram.org")
    }

    @Test func channelSettingsFromTheEnvironmentGoToTheLongestMatchingChannel() throws {
        let configuration = try load(
            """
            channels:
              - { id: "shop", adapter: "telegram", settings: { token: "a", webhook_secret: "b" } }
              - { id: "shop_2", adapter: "telegram", settings: { token: "c", webhook_secret: "d" } }
            """,
            environment: ["ATENDE_CHANNEL_SHOP_2_TOKEN": "from-env", "ATENDE_CHANNEL_SHOP_WEBHOOK_SECRET": "env-secret"]
        )
        let channels = try configuration.loadChannels()
        #expect(channels[0].settings["token"] == "a")
        #expect(channels[0].settings["webhook_secret"] == "env-secret")
        #expect(channels[1].settings["token"] == "from-env")
    }

    @Test(arguments: [
        ("server: { port: 80, colour: blue }", 1, "unknown key 'colour'"),
        ("log:\n  level: loud", 2, "'loud' is not one of"),
        ("server:\n  port: eighty", 2, "not a whole number"),
        ("channels:\n  - id: \"tg\"\n    adapter: \"telegram\"\n    settings: { token: \"${NOT_SET_ANYWHERE}\" }", 4, "NOT_SET_ANYWHERE is not set"),
        ("channels:\n  - { id: \"a b\", adapter: \"telegram\" }", 2, "may only use letters"),
        ("server: [1, 2\nlog: { level: \"info\" }", 2, "not valid YAML"),
        ("caldav:\n  url: \"cloud.example.com/agenda\"", 2, "not an http(s) URL of a calendar collection"),
        ("caldav:\n  busy_cache_seconds: -1", 2, "not a whole number"),
        ("caldav:\n  write_bookings: maybe", 2, "not true or false"),
    ])
    func problemsNameTheLine(yaml: String, line: Int, message: String) throws {
        let found = problem { try load(yaml) }
        #expect(found?.line == line, "\(String(describing: found))")
        #expect(found?.message.contains(message) == true, "\(String(describing: found))")
        #expect(found?.file.hasSuffix("atende.yaml") == true)
    }

    @Test func caldavSettingsLoadAndTheUserNeedsAPassword() throws {
        let configuration = try load(
            "caldav:\n  url: \"https://cloud.example.com/dav/calendars/ana/agenda\"\n  user: \"ana\"\n  password: \"${CALDAV_PASSWORD}\"\n  write_bookings: no\n",
            environment: ["CALDAV_PASSWORD": "secret", "ATENDE_CALDAV_BUSY_CACHE_SECONDS": "30"]
        )
        #expect(configuration.caldav.url == "https://cloud.example.com/dav/calendars/ana/agenda/")
        #expect(configuration.caldav.password == "secret" && !configuration.caldav.writeBookings && configuration.caldav.busyCacheMillis == 30_000)
        let found = problem { try load("caldav:\n  url: \"https://cloud.example.com/agenda/\"\n  user: \"ana\"\n") }
        #expect(found?.message.contains("caldav.user and caldav.password go together") == true, "\(String(describing: found))")
    }

    @Test func missingRequiredSettingAndUnknownAdapterAreReported() throws {
        let missing = problem {
            try load("channels:\n  - id: \"tg\"\n    adapter: \"telegram\"\n    settings: { token: \"x\" }").loadChannels()
        }
        #expect(missing?.message.contains("missing required setting 'webhook_secret'") == true)
        #expect(missing?.line == 2)
        let unknown = problem { try load("channels:\n  - { id: \"x\", adapter: \"pigeon\" }").loadChannels() }
        #expect(unknown?.message.contains("adapter 'pigeon' has no file") == true)
        let typo = problem { try load("channels:\n  - { id: \"x\", adapter: \"telegram\", settings: { token: \"a\", webhook_secret: \"b\", tokn: \"c\" } }").loadChannels() }
        #expect(typo?.message.contains("unknown setting 'tokn'") == true)
    }

    @Test func leaseShorterThanTwiceThePlatformTimeoutIsRefused() throws {
        var configuration = try load("channels:\n  - { id: \"tg\", adapter: \"telegram\", settings: { token: \"a\", webhook_secret: \"b\" } }")
        configuration.leaseMillis = 5000
        let found = problem { try configuration.checkLease(against: configuration.loadChannels()) }
        #expect(found?.message.contains("pipeline.lease_ms is 5000 but must be at least 20000") == true)
    }
}

@Suite struct AdapterDefinitionTests {
    @Test func shippedAdaptersLoad() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Repository.adapters).filter { $0.hasSuffix(".yaml") }
        #expect(!files.isEmpty)
        for file in files {
            _ = try AdapterDefinition.load(file: Repository.adapters + "/" + file)
        }
    }

    /// The shipped Telegram file with one line changed: the problem names that line.
    @Test(arguments: [
        ("      text: \"{{text}}\"\n    message_id", "      text: \"{{txet}}\"\n    message_id", "'{{txet}}' names nothing available here"),
        ("  header: \"X-Telegram-Bot-Api-Secret-Token\"", "  headr: \"X-Telegram-Bot-Api-Secret-Token\"", "unknown key 'headr'"),
        ("    event: message", "    event: mesage", "event must be one of"),
        ("{{settings.api_base}}/bot{{settings.token}}/sendMessage\"\n    json:\n      chat_id", "{{settings.api_bse}}/bot{{settings.token}}/sendMessage\"\n    json:\n      chat_id", "'settings.api_bse' is not a declared setting"),
        ("  max_attempts: 8", "  max_attempts: lots", "expected a whole number"),
    ])
    func brokenEditsAreReportedWithTheirLine(original: String, broken: String, message: String) throws {
        let text = try String(contentsOfFile: Repository.adapters + "/telegram.yaml", encoding: .utf8)
        let range = try #require(text.range(of: original), "the test's anchor is not in telegram.yaml")
        let edited = text.replacingCharacters(in: range, with: broken)
        let expectedLine = edited[..<range.lowerBound].filter { $0 == "\n" }.count + 1
        do {
            _ = try AdapterDefinition.parse(edited, file: "adapters/telegram.yaml")
            Issue.record("the broken edit was accepted")
        } catch let problem as FileProblem {
            #expect(problem.message.contains(message), "\(problem)")
            #expect(problem.file == "adapters/telegram.yaml")
            let line = try #require(problem.line)
            #expect((expectedLine...expectedLine + broken.filter { $0 == "\n" }.count + 1).contains(line), "\(problem)")
        }
    }
}

@Suite struct PromptFileTests {
    @Test func shippedGeralLoads() throws {
        let agent = try Agent.load(file: Repository.prompts + "/geral.md", business: Repository.business())
        #expect(agent.id == "geral")
        #expect(agent.offlineAnswers.contains { $0.language == .en })
        #expect(!agent.systemPrompt.isEmpty)
    }

    @Test func brokenFrontMatterNamesTheFileLine() throws {
        let file = try Repository.temporaryDirectory() + "/geral.md"
        try "---\nid: \"geral\"\nname: \"X\"\nlanguage: \"pt\"\ncolor: \"red\"\nfallback: { pt: \"?\" }\n---\nbody\n".write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try Agent.load(file: file, business: Repository.business())
            Issue.record("accepted an unknown key")
        } catch let found as FileProblems {
            #expect(found.problems.count == 1)
            #expect(found.problems.first?.line == 5)
            #expect(found.problems.first?.message.contains("unknown key 'color'") == true)
        }
    }

    @Test(arguments: [
        ("hello there", "en"), ("oi, tudo bem?", "pt"), ("muito obrigada!!", "pt"), ("thanks a lot", "en"),
    ])
    func offlineAnswersFollowTheContactsLanguage(text: String, language: String) throws {
        let agent = try Agent.load(file: Repository.prompts + "/geral.md", business: Repository.business())
        let expected = try #require(Language(rawValue: language))
        let guessed = LanguageGuess.guess(text, fallback: .pt)
        #expect(guessed == expected)
        let answer = agent.offlineAnswer(to: text, language: guessed)
        #expect(agent.offlineAnswers.filter { $0.language == expected }.map(\.answer).contains(answer))
    }

    /// The word index must pick what comparing the message with every example picks: the
    /// highest Dice overlap, the first example on a tie, the fallback below 0.5.
    @Test func offlineAnswersMatchAComparisonWithEveryExample() throws {
        var compared = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: Repository.prompts) where file.hasSuffix(".md") && file != "README.md" {
            let agent = try Agent.load(file: Repository.prompts + "/" + file, business: Repository.business())
            // Every example of every intent of the agent, as messages it will really get.
            let messages = agent.intents.flatMap(\.examples).prefix(150)
            for message in messages {
                for language in [Language.pt, .en] {
                    #expect(agent.offlineAnswer(to: message, language: language) == Self.answerByComparingAll(agent, message, language), "\(file): \(message)")
                    compared += 1
                }
            }
        }
        #expect(compared > 500)
    }

    static func answerByComparingAll(_ agent: Agent, _ text: String, _ language: Language) -> String {
        let words = Set(TextNormalizer.words(text))
        let candidates = agent.offlineAnswers.contains { $0.language == language }
            ? agent.offlineAnswers.filter { $0.language == language } : agent.offlineAnswers
        var best: (score: Double, answer: String)?
        for candidate in candidates {
            for example in candidate.examples where !example.isEmpty && !words.isEmpty {
                let score = 2 * Double(example.intersection(words).count) / Double(example.count + words.count)
                if score > (best?.score ?? 0) { best = (score, candidate.answer) }
            }
        }
        if let best, best.score >= 0.5 { return best.answer }
        return agent.fallback[language] ?? agent.fallback[agent.language] ?? ""
    }
}
