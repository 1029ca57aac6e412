import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// Decides, for each turn, who answers and how, in this order:
///
/// 1. what the business side did (a person replied by hand, Chatwoot opened or resolved the
///    conversation, `#pausar` / `#robo`) decides whether the bot may answer at all;
/// 2. the answer to a clarifying question asked in the previous turn;
/// 3. control intents: a person (`humano`), where did we stop (`continuar`);
/// 3b. an open booking flow, or a new one for a message routed to the `agenda` agent;
/// 4. stickiness: follow-ups stay with the agent that was answering unless the message
///    confidently belongs to another route;
/// 5. the classifier's route, or a clarifying question with choices when it is unsure.
///
/// The chosen agent answers through the LLM when one is configured, from its offline answers
/// otherwise or when the LLM fails: the contact always gets a reply.
public struct Orchestrator: Responder {
    let agents: CurrentAgents
    let model: (any LanguageModel)?
    let settings: OrchestratorSettings
    let time: any TimeSource
    /// Books appointments when the business profile has a calendar.
    let receptionist: Receptionist?
    /// What the model may cost per day; `nil`: no limit.
    let budget: LLMBudget?

    public init(
        agents: CurrentAgents, model: (any LanguageModel)?, settings: OrchestratorSettings = OrchestratorSettings(), time: any TimeSource = SystemTime(),
        receptionist: Receptionist? = nil, budget: LLMBudget? = nil
    ) {
        self.receptionist = receptionist
        self.budget = budget
        self.agents = agents
        self.model = model
        self.settings = settings
        self.time = time
    }

    /// Choice ids of a clarifying question: `agent:` and the agent id.
    static let choicePrefix = "agent:"
    /// Options that belong to a question or flow: tapped once it is over, they pick nothing.
    static let closedChoicePrefixes = [choicePrefix, Receptionist.slotPrefix, Receptionist.servicePrefix, Receptionist.bookingPrefix]

    public func respond(to turn: Turn) async throws -> TurnAnswer {
        let set = agents.set
        let now = time.nowMillis()
        var context = TurnContext(agentSet: set, turn: turn, now: now)
        let conversation = turn.conversation
        context.audience = settings.teamChannels.contains(conversation.channelID) || set.library.business.isTeam(conversation.platformChatID) ? .team : .customers

        // 1. The business side. A person's reply answers what the contact wrote before it.
        var ownership = turn.ownership
        var ownershipChanged = false
        var contactMessages: [StoredMessage] = []
        var reminders: [StoredMessage] = []
        var teamNotice: String?
        for message in turn.messages {
            switch message.kind {
            case .reminder:
                reminders.append(message)
            case .humanReply:
                contactMessages = []
                if let commanded = command(in: message, control: set.library.control) {
                    ownership = commanded.ownership
                    teamNotice = commanded.capped ? pauseCappedNotice(commanded.ownership, set: set) : nil
                } else if ownership.owner == .paused, ownership.silencesBot(now: message.receivedAt, humanQuietMillis: settings.humanQuietMillis) {
                    // The team talking during a pause does not shorten it to the human quiet period.
                    continue
                } else {
                    ownership = Ownership(owner: .human, since: message.receivedAt)
                }
                ownershipChanged = true
            case .conversationStatus:
                switch message.status {
                case "open":
                    contactMessages = []
                    ownership = Ownership(owner: .human, since: message.receivedAt)
                    ownershipChanged = true
                case "pending", "resolved":
                    ownership = .bot
                    ownershipChanged = true
                default:
                    break
                }
            default:
                if message.kind.isAnswered { contactMessages.append(message) }
            }
        }
        // A reminder goes out whoever owns the conversation: the business asked for it. When the
        // contact wrote meanwhile, answering them comes first and the reminder is dropped.
        if contactMessages.isEmpty, let receptionist, let calendar = set.library.business.calendar,
            let bookingID = reminders.last?.target.flatMap({ Int64($0) }) {
            context.ownership = ownershipChanged ? ownership : nil
            context.language = context.memory.language.flatMap(Language.init(rawValue:)) ?? .pt
            if let reminded = try await receptionist.remind(&context, bookingID: bookingID, calendar: calendar) { return reminded }
        }
        if ownership.silencesBot(now: now, humanQuietMillis: settings.humanQuietMillis) || contactMessages.isEmpty {
            // "silent:human" (a person has it), "ownership:bot" (only the business side acted this turn).
            var trace = ReplyTrace(decision: "\(contactMessages.isEmpty ? "ownership" : "silent"):\(ownership.owner.rawValue)")
            trace.promptVersion = set.version
            var answer = TurnAnswer(reply: nil, ownership: ownershipChanged ? ownership : nil, trace: trace)
            answer.teamNotice = teamNotice
            return answer
        }
        if ownership.owner != .bot {
            // The person went quiet, or the pause ended: the bot is back.
            ownership = .bot
            ownershipChanged = true
            context.memory.handoffReason = nil
        }
        context.ownership = ownershipChanged ? ownership : nil
        context.read(contactMessages)

        if context.text.isEmpty {
            // Only files, no words: say so politely instead of guessing at an answer.
            return context.answer(Reply(text: set.library.texts.text(.mediaReceived, context.language, context.contactValues)), trace: ReplyTrace(decision: "media"))
        }

        let bookingOffer = context.memory.bookingOffer
        context.memory.bookingOffer = nil
        context.previousService = bookingOffer.flatMap { $0.isEmpty ? nil : $0 }

        // 2. The answer to a clarifying question: the chosen agent answers what was asked then.
        if let clarification = context.memory.clarification {
            context.memory.clarification = nil
            if let picked = pickedAgent(clarification, messages: contactMessages, set: set) {
                let question = isBarePick(contactMessages) ? clarification.question : clarification.question + "\n" + context.text
                // A tapped button carries no words to tell the language by; the question does.
                context.text = question
                context.language = LanguageGuess.guess(question, fallback: context.language)
                return await answer(&context, agentID: picked, question: question, decision: "clarified", keepActive: false)
            }
        }

        // 2b. A bare number, "ok", "sim" or "obrigado" with no flow or question open is no new
        // subject: it is acknowledged, or starts the booking the last answer offered.
        let flowOpen = receptionist?.hasOpenFlow(context) ?? false
        if !flowOpen, let short = ShortReply(context.text) {
            if let answer = try await acknowledge(&context, short, bookingOffer: bookingOffer) { return answer }
        }
        // "meu nome é Carla Souza": remembered for bookings and greetings; on its own, acknowledged.
        if !flowOpen, let stated = StatedName.first(in: context.text) {
            context.memory.contactName = stated.name
            // A greeting and the introduction around the name, and nothing more ("boa tarde, meu nome é Carla").
            let around = TextNormalizer.words(context.text).count - TextNormalizer.words(stated.text).count
            if around <= 7 {
                let reply = set.library.texts.text(.nameNoted, context.language, context.contactValues)
                return context.answer(Reply(text: reply), trace: ReplyTrace(decision: "short:name"))
            }
        }
        // A tap on an option of an earlier message (a slot, a service, an agent) whose question is closed.
        if !flowOpen, let choice = contactMessages.last?.choiceID, Self.closedChoicePrefixes.contains(where: choice.hasPrefix) {
            let reply = set.library.texts.text(.staleChoice, context.language, context.contactValues.merging(["choice": context.text]) { $1 })
            return context.answer(Reply(text: reply), trace: ReplyTrace(decision: "short:stale_choice"))
        }

        // A pick of an offered slot goes to the booking flow before anything reads it otherwise.
        if let receptionist, let calendar = set.library.business.calendar, receptionist.picksOfferedSlot(context, calendar: calendar),
            let answer = try await receptionist.continueFlow(&context, calendar: calendar) {
            return answer
        }

        // 3. Control intents. A greeting before the question ("oii qual horario de vcs?") says nothing about where it goes.
        let result = set.classifier(for: context.audience).classify(Self.withoutGreeting(context.text))
        context.result = result
        if result.confident, let control = ControlIntents.Kind(rawValue: result.route) {
            switch control {
            case .humano: return handoff(&context, reason: "pediu para falar com uma pessoa")
            case .continuar: return try await summary(&context)
            }
        }

        // The specialist the conversation is with, while its subject is fresh.
        let generalID = PromptLibrary.defaultAgentID
        let sticky: Agent? = context.memory.activeAgent.flatMap { active in
            guard active != generalID, let agent = set.library.agent(active), context.audience == .team || agent.audience != .team,
                let activeAt = context.memory.activeAt, now - activeAt < settings.stickinessMillis else { return nil }
            return agent
        }
        // The topic the router chose, and whether reception answers it from the business's facts.
        let routedTopic = set.library.agent(result.route)?.intents.first { $0.id == result.topic }
        let routedFacts = routedTopic?.facts != nil

        // 3b. Booking: an open flow keeps the conversation; the agenda route starts one.
        if let receptionist, let calendar = set.library.business.calendar {
            if receptionist.hasOpenFlow(context) {
                if let answer = try await receptionist.continueFlow(&context, calendar: calendar) { return answer }
            } else {
                context.memory.scheduling = nil
            }
            // With an LLM and the calendar tools in agenda.md, the model books through the tools
            // instead. Unsure about the agenda, the flow starts only when the message names a
            // service or a time, and no other specialist is on the subject ("she started in june"
            // is about the 13th salary the owner just asked HR about).
            let modelBooks = model != nil && set.library.agent(Receptionist.agentID)?.tools.contains(.book) == true
            let namesService = calendar.service(matching: context.text) != nil
            let namesTime = receptionist.wish(in: context, calendar: calendar) != nil
            // "nao, prefiro sábado" right after booking: the contact changed their mind about it.
            if !modelBooks, sticky?.id == Receptionist.agentID, !routedFacts, result.route == generalID || result.route == Receptionist.agentID,
                namesTime, Receptionist.changesMind(context.text),
                let answer = try await receptionist.moveOnlyBooking(&context, calendar: calendar) {
                return answer
            }
            let free = sticky == nil || sticky?.id == Receptionist.agentID
            let unsureStarts = free && (namesService || namesTime)
            if !modelBooks, result.route == Receptionist.agentID, result.confident || unsureStarts,
                let answer = try await receptionist.start(&context, topic: result.topic, calendar: calendar) {
                return answer
            }
            // A service and a day that reception's catch-all took ("gostaria de saber se há
            // disponibilidade para corte no sábado dia 12") are a booking request.
            if !modelBooks, free, result.route == generalID, !routedFacts, namesService, namesTime,
                let answer = try await receptionist.start(&context, topic: nil, calendar: calendar) {
                return answer
            }
        }

        // 4. Stickiness. Only a specialist holds on to a conversation: after the reception's
        // greeting, an unsure message gets the clarifying question.
        if let active = sticky?.id {
            // A follow-up stays, unless a customer asks what reception answers from the business's
            // facts ("e quanto custa isso?"); the team asks the specialist ("da pra parcelar esses?").
            let facts = routedFacts && context.audience == .customers
            let followUp = routedTopic?.followUp ?? false || !facts && FollowUpCue.leansOnPrevious(context.text)
            if !result.confident || result.route == active || set.library.agent(result.route) == nil || followUp {
                return await answer(&context, agentID: active, question: context.text, decision: "sticky", keepActive: false)
            }
            // Thanks or a greeting mid-conversation: answered, without leaving the specialist.
            let keep = result.route == generalID
            return await answer(&context, agentID: result.route, question: context.text, decision: "routed", keepActive: keep)
        }

        // 5. The route, or a question when unsure.
        if result.confident, set.library.agent(result.route) != nil {
            return await answer(&context, agentID: result.route, question: context.text, decision: "routed", keepActive: false)
        }
        let specialists = result.candidates
            .filter { $0.route != generalID && set.library.agent($0.route) != nil && $0.score >= 0.15 }
            .prefix(3)
        if result.route != generalID, specialists.count >= 2 {
            return clarify(&context, options: specialists.map(\.route))
        }
        if let only = specialists.first, only.score >= 0.35, result.route == only.route {
            return await answer(&context, agentID: only.route, question: context.text, decision: "routed", keepActive: false)
        }
        return await answer(&context, agentID: generalID, question: context.text, decision: "routed", keepActive: false)
    }

    // MARK: Decisions

    /// The chosen agent answers `question`, through the LLM when there is one.
    func answer(_ context: inout TurnContext, agentID: String, question: String, decision: String, keepActive: Bool) async -> TurnAnswer {
        let set = context.agentSet
        guard let agent = set.library.agent(agentID) ?? set.library.agent(PromptLibrary.defaultAgentID) else {
            preconditionFailure("the library checks the default agent exists")
        }
        var trace = ReplyTrace(decision: decision, agent: agent.id)
        var text: String?
        var teamNotice: String?
        if model != nil, let budget, !budget.allows(now: context.now) {
            trace.llmError = "the daily LLM budget (llm.daily_budget_usd = \(budget.dailyUSD)) is spent; answered offline"
            if budget.takeFirstRefusal(now: context.now) {
                teamNotice = set.library.texts.text(.llmBudgetReached, .pt, ["budget": String(format: "%.2f", budget.dailyUSD)])
            }
        } else if let model {
            var llm = LLMAnswerer(model: model, settings: settings)
            if let receptionist, let calendar = set.library.business.calendar, agent.tools.contains(where: \.isScheduling) {
                let caller = SchedulingToolCaller(conversationID: context.turn.conversation.id, now: context.now, language: context.language)
                llm.scheduling = { tool, fields in await receptionist.runTool(tool, fields, caller: caller, calendar: calendar) }
            }
            let outcome = await llm.answer(agent: agent, context: context, question: question) { summaryText(context) }
            trace.toolCalls = outcome.toolCalls
            trace.model = outcome.model
            trace.promptTokens = outcome.usage.promptTokens
            trace.completionTokens = outcome.usage.completionTokens
            trace.costUSD = outcome.costUSD
            budget?.record(outcome.costUSD, now: context.now)
            trace.llmMillis = outcome.latencyMillis
            trace.llmError = outcome.error
            if let reason = outcome.handoffReason {
                context.memory.activeAgent = agent.id
                return handoff(&context, reason: reason, trace: trace)
            }
            text = outcome.text
        }
        let canned = factsAnswer(&context, agent: agent, question: question, trace: &trace) ?? agent.offlineAnswer(to: question, language: context.language)
        let reply = PromptTemplate.render(text ?? canned, context.contactValues)
        if !keepActive {
            context.memory.activeAgent = agent.id
            context.memory.lastIntent = context.result.flatMap { $0.route == agent.id ? $0.topic : nil } ?? context.memory.lastIntent
        }
        context.memory.activeAt = context.now
        // "ok", "2", "e aí?" say nothing a summary could repeat back.
        if TextNormalizer.words(question).count >= 3 || context.memory.lastQuestion == nil {
            context.memory.lastQuestion = question
            context.memory.lastAnswer = String(reply.prefix(400))
        }
        var answered = context.answer(Reply(text: reply), trace: trace)
        answered.teamNotice = teamNotice
        return answered
    }

    /// `text` without a greeting it starts with, when more follows: "oii, qual horario de vcs?"
    /// is routed as "qual horario de vcs?"; "oi" alone stays a greeting.
    static func withoutGreeting(_ text: String) -> String {
        let greetings = ["bom dia", "boa tarde", "boa noite", "good morning", "good afternoon", "good evening", "oii", "oie", "oi", "ola", "olá", "opa", "hello", "hey", "hi"]
        let lowered = text.lowercased()
        for greeting in greetings where lowered.hasPrefix(greeting) {
            var rest = text.dropFirst(greeting.count)
            // A whole word only ("oito" is no "oi"); letters repeated for emphasis ("oiii") go too.
            while let next = rest.first, next.lowercased() == String(greeting.last ?? " ") { rest = rest.dropFirst() }
            guard let next = rest.first, !next.isLetter else { continue }
            let remaining = rest.drop { !$0.isLetter && !$0.isNumber }
            return TextNormalizer.words(String(remaining)).count >= 2 ? String(remaining) : text
        }
        return text
    }

    /// What a short reply gets after a flow or an answer ended; `nil` routes it as usual.
    func acknowledge(_ context: inout TurnContext, _ short: ShortReply, bookingOffer: String?) async throws -> TurnAnswer? {
        let set = context.agentSet
        let texts = set.library.texts
        switch short {
        case .yes where bookingOffer != nil:
            guard let receptionist, let calendar = set.library.business.calendar, let offer = bookingOffer else { return nil }
            return try await receptionist.startBooking(&context, serviceID: offer.isEmpty ? nil : offer, calendar: calendar)
        case .number(let number):
            return context.answer(Reply(text: texts.text(.bareNumber, context.language, context.contactValues.merging(["number": "\(number)"]) { $1 })), trace: ReplyTrace(decision: "short:number"))
        case .thanks, .okay, .yes:
            // Reception's own words for it when it has them ("De nada!"), else a plain acknowledgement.
            let geral = set.library.agent(PromptLibrary.defaultAgentID)
            let text = geral?.offline.answer(to: context.text, language: context.language) ?? texts.text(.acknowledged, context.language, context.contactValues)
            return context.answer(Reply(text: PromptTemplate.render(text, context.contactValues)), trace: ReplyTrace(decision: "short:acknowledged", agent: geral?.id))
        }
    }

    /// The answer from the business profile when the message's topic is one (`facts:` or a FAQ).
    func factsAnswer(_ context: inout TurnContext, agent: Agent, question: String, trace: inout ReplyTrace) -> String? {
        guard let result = context.result else { return nil }
        let library = context.agentSet.library
        let facts = BusinessFacts(business: library.business, texts: library.texts)
        // At reception, the business's own FAQ beats the generic topic the router picked, and
        // answers when the router was unsure ("where do we park?" half read as "where were we?").
        let faq = agent.id == PromptLibrary.defaultAgentID ? library.faq.entry(matching: question).map(FactKind.faq) : nil
        let topic = result.route == agent.id ? agent.intents.first(where: { $0.id == result.topic })?.facts : nil
        guard let kind = faq ?? topic else { return nil }
        let calendar = library.business.calendar
        // Only a price question leans on the previous answer: "what else do you do?" is not about it.
        let previous = kind == .services ? context.previousService.flatMap { id in calendar?.services.first { $0.id == id } } : nil
        let asked = calendar?.service(matching: question)
        let named = asked ?? previous
        guard var answer = facts.answer(kind, to: question, service: named, language: context.language, now: context.now) else {
            return nil
        }
        trace.facts = "\(kind)"
        // A FAQ answer about a service the question names ("qnto fica corte infantil?") gets its price too.
        if case .faq = kind, let service = asked {
            answer += "\n" + facts.price(service, context.language)
            context.memory.bookingOffer = service.id
        }
        // Prices and services end with "Quer marcar um horário?": a "sim" next starts that booking.
        if [.services, .business].contains(kind), calendar != nil {
            context.memory.bookingOffer = named?.id ?? ""
        }
        return answer
    }

    /// Hands the conversation to a person: the contact is told, the bot goes quiet, the team gets a summary.
    func handoff(_ context: inout TurnContext, reason: String, trace: ReplyTrace? = nil) -> TurnAnswer {
        let texts = context.agentSet.library.texts
        let business = Language.pt
        let summary = texts.text(.handoffSummary, business, context.contactValues.merging([
            "agent": context.activeAgentTitle, "topic": context.topicDescription,
            "request": context.text, "last_answer": context.memory.lastAnswer ?? "—",
        ]) { $1 })
        let conversation = context.turn.conversation
        let handoff = Handoff(
            note: texts.text(.handoffNote, business, ["summary": summary]),
            notification: texts.text(.handoffNotify, business, context.contactValues.merging([
                "contact.chat": conversation.platformChatID, "channel": conversation.channelID, "summary": summary,
            ]) { $1 })
        )
        context.memory.handoffReason = reason
        context.ownership = Ownership(owner: .human, since: context.now)
        var trace = trace.map { traced in
            var traced = traced
            traced.decision += "+handoff"
            return traced
        } ?? ReplyTrace(decision: "control")
        var answer = context.answer(Reply(text: texts.text(.handoffNotice, context.language, context.contactValues)), trace: trace)
        answer.handoff = handoff
        return answer
    }

    /// "Where did we stop?": the last agent and topic, what was asked and answered, what is open.
    func summary(_ context: inout TurnContext) async throws -> TurnAnswer {
        var text = summaryText(context)
        // What is open besides the last topic: slots on offer, a booking, a person on the case.
        if let receptionist, let calendar = context.agentSet.library.business.calendar {
            for item in try await receptionist.openItems(context, calendar: calendar) { text += "\n" + item }
        }
        context.memory.activeAt = context.now
        return context.answer(Reply(text: text), trace: ReplyTrace(decision: "control", agent: context.memory.activeAgent))
    }

    func summaryText(_ context: TurnContext) -> String {
        let texts = context.agentSet.library.texts
        var memory = context.memory
        // Conversations from before the gateway kept memory still have their history.
        if memory.lastQuestion == nil, let asked = context.turn.history.last(where: { $0.author == .contact }) {
            memory.lastQuestion = asked.text
            memory.lastAnswer = context.turn.history.last(where: { $0.author == .bot && $0.at >= asked.at })?.text
        }
        guard let question = memory.lastQuestion else {
            return texts.text(.summaryEmpty, context.language, context.contactValues)
        }
        var text = texts.text(.summary, context.language, context.contactValues.merging([
            "agent": context.activeAgentTitle, "topic": context.topicDescription, "last_question": question,
            "last_answer": String((memory.lastAnswer ?? "—").prefix(300)),
        ]) { $1 })
        if let open = memory.clarification {
            text += "\n" + texts.text(.summaryOpen, context.language, ["question": open.question])
        }
        return text
    }

    /// Asks which agent the message is for, with one choice per likely agent and "something else".
    func clarify(_ context: inout TurnContext, options: [String]) -> TurnAnswer {
        let set = context.agentSet
        let texts = set.library.texts
        var choices = options.compactMap { id in set.library.agent(id).map { Choice(id: Self.choicePrefix + id, title: $0.title) } }
        choices.append(Choice(id: Self.choicePrefix + PromptLibrary.defaultAgentID, title: texts.text(.clarifyOther, context.language)))
        context.memory.clarification = ConversationMemory.Clarification(agents: choices.map { String($0.id.dropFirst(Self.choicePrefix.count)) }, question: context.text)
        let reply = Reply(text: texts.text(.clarifyQuestion, context.language, context.contactValues), choices: choices)
        return context.answer(reply, trace: ReplyTrace(decision: "clarify"))
    }

    // MARK: Reading messages

    /// `#pausar [2h|30m|3d]` or `#robo` written from the business side.
    func command(in message: StoredMessage, control: ControlIntents) -> TeamCommand? {
        let words = message.text.lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first else { return nil }
        if control.resumeCommands.contains(first) { return TeamCommand(ownership: .bot, capped: false) }
        guard control.pauseCommands.contains(first) else { return nil }
        let asked = words.dropFirst().first.flatMap(PauseDuration.init) ?? PauseDuration(millis: settings.defaultPauseMillis)
        return TeamCommand(ownership: .paused(since: message.receivedAt, forMillis: asked.millis), capped: asked.capped)
    }

    /// What a team command sets, and whether the pause asked for was cut to the longest allowed.
    struct TeamCommand {
        var ownership: Ownership
        var capped: Bool
    }

    /// The team's notice that a pause was cut to a year, where the team reads it.
    func pauseCappedNotice(_ ownership: Ownership, set: AgentSet) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: set.library.business.timeZone) ?? .gmt
        let day = calendar.dateComponents([.day, .month, .year], from: Date(timeIntervalSince1970: Double(ownership.until ?? 0) / 1000))
        let until = String(format: "%02d/%02d/%04d", day.day ?? 0, day.month ?? 0, day.year ?? 0)
        return set.library.texts.text(.pauseCapped, .pt, ["until": until, "max_days": "\(Ownership.maxPauseMillis / 86_400_000)"])
    }

    /// The agent picked in answer to a clarifying question: a tapped choice, its number, or its name.
    func pickedAgent(_ clarification: ConversationMemory.Clarification, messages: [StoredMessage], set: AgentSet) -> String? {
        guard let last = messages.last else { return nil }
        if let choice = last.choiceID, choice.hasPrefix(Self.choicePrefix) {
            return String(choice.dropFirst(Self.choicePrefix.count))
        }
        let words = TextNormalizer.words(last.text)
        if words.count == 1, let number = Int(words[0]), clarification.agents.indices.contains(number - 1) {
            return clarification.agents[number - 1]
        }
        for id in clarification.agents {
            guard let agent = set.library.agent(id) else { continue }
            let names = Set(TextNormalizer.words(agent.name) + [id])
            if !words.isEmpty, words.count <= 4, words.contains(where: names.contains) { return id }
        }
        return nil
    }

    /// Whether the last message only picks an option (a tap or a number), with nothing else to answer.
    func isBarePick(_ messages: [StoredMessage]) -> Bool {
        guard messages.count == 1, let last = messages.last else { return false }
        return last.choiceID != nil || TextNormalizer.words(last.text).count <= 3
    }
}

/// What one turn works with, and what it changes.
struct TurnContext {
    let agentSet: AgentSet
    let turn: Turn
    let now: Int64
    var memory: ConversationMemory
    /// The new owner, when the turn changes it.
    var ownership: Ownership?
    var text = ""
    var language = Language.pt
    var result: IntentResult?
    /// Who the contact is to the business: a customer, or someone of the team.
    var audience = Agent.Audience.customers
    /// The service the previous answer was about ("Corte de cabelo: R$ 80 (45 min)…"), so "e
    /// quanto tempo demora?" next is about it too.
    var previousService: String?

    init(agentSet: AgentSet, turn: Turn, now: Int64) {
        self.agentSet = agentSet
        self.turn = turn
        self.now = now
        self.memory = turn.memory
    }

    mutating func read(_ messages: [StoredMessage]) {
        text = messages.map(\.text).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        let hint = messages.last.flatMap { Language(hint: $0.language) } ?? memory.language.flatMap(Language.init(rawValue:))
        let fallback = hint ?? agentSet.library.agent(memory.activeAgent ?? PromptLibrary.defaultAgentID)?.language ?? .pt
        language = text.isEmpty ? fallback : LanguageGuess.guess(text, fallback: fallback)
    }

    var contactValues: [String: String] {
        ["contact.name": memory.contactName ?? turn.contactName ?? ""]
    }

    var activeAgentTitle: String {
        agentSet.library.agent(memory.activeAgent ?? PromptLibrary.defaultAgentID)?.title ?? PromptLibrary.defaultAgentID
    }

    var topicDescription: String {
        guard let intent = memory.lastIntent else { return "—" }
        let definition = agentSet.library.agents.lazy.flatMap(\.intents).first { $0.id == intent }
        return definition?.description ?? intent.replacingOccurrences(of: "_", with: " ")
    }

    func answer(_ reply: Reply, trace: ReplyTrace) -> TurnAnswer {
        var memory = memory
        memory.language = language.rawValue
        var trace = trace
        trace.promptVersion = agentSet.version
        trace.language = language.rawValue
        trace.audience = audience.rawValue
        if let result {
            trace.route = result.route
            trace.intent = result.topic
            trace.score = result.score
            trace.confident = result.confident
            trace.runnerUp = result.runnerUp?.route
            trace.runnerUpScore = result.runnerUp?.score
        }
        return TurnAnswer(reply: reply, memory: memory, ownership: ownership, trace: trace)
    }
}
