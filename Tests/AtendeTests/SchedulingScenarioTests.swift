import AsyncHTTPClient
import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeServer
import AtendeTestSupport
import AtendeUnderstanding
import Foundation
import NIOHTTP1
import Testing

/// Booking conversations through the real pipeline: Telegram and UazAPI webhooks, the store, the
/// receptionist with the shipped `prompts/negocio.yaml` calendar, delivery to fake platform APIs.
/// The clock is pinned to Monday 2026-11-23 08:00 in São Paulo, so "sexta" is Friday the 27th.
@Suite struct SchedulingScenarioTests {
    typealias Contact = ConversationScenarioTests.Contact
    static let zone = TimeZone(identifier: "America/Sao_Paulo")!
    static let monday = CivilDay(year: 2026, month: 11, day: 23)
    static let mondayMorning = monday.instant(minutes: 8 * 60, in: zone)

    /// A gateway whose clock reads Monday 08:00 (and can be moved on).
    static func start(at instant: Int64 = mondayMorning, databaseURL: String? = nil) async throws -> (GatewayHarness, ShiftedTime) {
        let time = ShiftedTime()
        time.advance(millis: instant - SystemTime().nowMillis())
        let harness = try await GatewayHarness.start(databaseURL: databaseURL, time: time)
        return (harness, time)
    }

    static func calendar() async throws -> BusinessCalendar {
        try #require(try await Repository.agents().library.business.calendar, "prompts/negocio.yaml has a calendar section")
    }

    static func text(_ call: FakeTelegramAPI.Call) -> String {
        call.body.value(at: "text")?.scalarText ?? ""
    }

    /// The offered slots' choice ids and titles, from the inline keyboard.
    static func buttons(_ call: FakeTelegramAPI.Call) -> [(id: String, title: String)] {
        guard case .array(let rows)? = call.body.value(at: "reply_markup.inline_keyboard") else { return [] }
        return rows.flatMap { row -> [(id: String, title: String)] in
            guard case .array(let buttons) = row else { return [] }
            return buttons.compactMap { button in
                guard let id = button.value(at: "callback_data")?.scalarText, let title = button.value(at: "text")?.scalarText else { return nil }
                return (id, title)
            }
        }
    }

    static func slotStart(_ choiceID: String) -> Int64? {
        choiceID.hasPrefix("slot:") ? Int64(choiceID.dropFirst(5)) : nil
    }

    static func bookings(_ harness: GatewayHarness, on day: CivilDay) async throws -> [Booking] {
        try await harness.gateway.receptionist.bookings(on: day, calendar: try await calendar())
    }

    static func texts() async throws -> SystemTexts {
        try await Repository.agents().library.texts
    }

    @Test("book by tapping a button: Friday-morning slots offered, held, booked, confirmed with the .ics link")
    func bookByButton() async throws {
        let (harness, time) = try await Self.start()
        var ana = Contact(harness, chat: 8101)
        let offer = try await ana.say("oi, queria marcar uma avaliação pra sexta de manhã")
        let buttons = Self.buttons(offer)
        let friday = Self.monday.adding(days: 4)
        #expect(buttons.count == 3)
        let starts = buttons.compactMap { Self.slotStart($0.id) }
        #expect(starts.count == 3)
        // Friday, in the morning, an hour apart, as the shipped hours (09:00–12:00) allow.
        #expect(starts.allSatisfy { CivilDay(instant: $0, in: Self.zone) == friday && $0 < friday.instant(minutes: 12 * 60, in: Self.zone) })
        #expect(zip(starts, starts.dropFirst()).allSatisfy { $1 - $0 >= 3_600_000 })
        #expect(buttons[0].title.hasPrefix("sex 27/11"))
        // Held: another contact asking for the same morning is not offered them.
        var bia = Contact(harness, chat: 8102)
        let other = Self.buttons(try await bia.say("quero marcar avaliação sexta de manhã")).compactMap { Self.slotStart($0.id) }
        #expect(Set(other).isDisjoint(with: starts))

        let confirmation = try await ana.tap(buttons[1].id)
        let text = Self.text(confirmation)
        #expect(text.contains("Avaliação") && text.contains("sexta, 27/11") && text.contains("Rua das Flores"))
        let booked = try await Self.bookings(harness, on: friday).filter { $0.status == .confirmed }
        #expect(booked.map(\.startsAt) == [starts[1]])
        let booking = try #require(booked.first)
        #expect(booking.contactName == "Ana")
        // The link, as sent, reaches the gateway on the port it really listens on (the harness asks for port 0).
        let link = try #require(text.split(whereSeparator: \.isWhitespace).map(String.init).first { $0.hasPrefix("http") && $0.contains("/calendar/") })
        #expect(link.hasSuffix("/calendar/\(booking.token).ics") && !link.contains(":0/"))
        let linked = try await HTTPClient.shared.execute(HTTPClientRequest(url: link), timeout: GatewayHarness.requestTimeout)
        #expect(linked.status == .ok)
        // The link serves the event.
        let ics = try await harness.get("/calendar/\(booking.token).ics")
        #expect(ics.status == 200 && ics.body.contains("BEGIN:VEVENT") && ics.body.contains("DTSTART:\(ICalendarEvent.utc(starts[1]))"))
        #expect(try await harness.get("/calendar/\(String(repeating: "0", count: 32)).ics").status == 404)
        #expect(try await ana.lastTrace().decision == "scheduling:done")
        // The link names a person's appointment: it stops working a week after it.
        try await harness.settle()
        time.advance(millis: booking.endsAt + 7 * 86_400_000 - time.nowMillis() - 60_000)
        #expect(try await harness.get("/calendar/\(booking.token).ics").status == 200)
        time.advance(millis: 60_001)
        #expect(try await harness.get("/calendar/\(booking.token).ics").status == 410)
        try await harness.stop()
    }

    @Test("book by number and by words, in Portuguese and English")
    func bookByNumberAndWords() async throws {
        let (harness, _) = try await Self.start()
        var carla = Contact(harness, chat: 8111)
        let offer = try await carla.say("quero marcar um corte na terça à tarde")
        let starts = Self.buttons(offer).compactMap { Self.slotStart($0.id) }
        #expect(starts.count == 3)
        _ = try await carla.say("3")
        #expect(try await Self.bookings(harness, on: Self.monday.adding(days: 1)).filter { $0.status == .confirmed }.map(\.startsAt) == [starts[2]])

        var dan = Contact(harness, chat: 8112)
        let english = try await dan.say("Hi, can I book a manicure on Thursday morning?")
        #expect(Self.text(english).contains("free for Manicure"))
        let englishStarts = Self.buttons(english).compactMap { Self.slotStart($0.id) }
        #expect(Self.buttons(english).first?.title.hasPrefix("Thu Nov 26") == true)
        // "10h serve" / "10am works": the offered slot at that time.
        let wording = englishStarts.first { Calendar.saoPaulo.component(.hour, from: Date(timeIntervalSince1970: Double($0) / 1000)) == 10 }
        let ten = try #require(wording, "a 10:00 slot among \(Self.buttons(english).map(\.title))")
        let confirmed = try await dan.say("10am works for me")
        #expect(Self.text(confirmed).contains("Booked!"))
        #expect(try await Self.bookings(harness, on: Self.monday.adding(days: 3)).contains { $0.startsAt == ten && $0.status == .confirmed })
        try await harness.stop()
    }

    @Test("the exact time asked for is free: it is proposed first and a 'sim' books it; 'sim, mas sábado' asks again")
    func exactTimeIsProposedAndAYesBooksIt() async throws {
        let (harness, _) = try await Self.start()
        let texts = try await Self.texts()
        var gabi = Contact(harness, chat: 8113)
        let offer = try await gabi.say("queria marcar um corte quinta as 10")
        let thursday = Self.monday.adding(days: 3)
        let ten = thursday.instant(minutes: 10 * 60, in: Self.zone)
        #expect(Self.text(offer) == texts.text(.bookingOfferExact, .pt, ["service": "Corte de cabelo", "hold_minutes": "10", "date": "quinta, 26/11", "time": "10:00"]))
        #expect(Self.buttons(offer).first.flatMap { Self.slotStart($0.id) } == ten)
        let booked = try await gabi.say("sim")
        #expect(Self.text(booked).contains("Agendado"), "\(Self.text(booked))")
        #expect(try await Self.bookings(harness, on: thursday).contains { $0.startsAt == ten && $0.status == .confirmed })

        var hugo = Contact(harness, chat: 8114)
        _ = try await hugo.say("queria fazer a unha quinta as 15h")
        let again = try await hugo.say("sim, mas pode ser sabado de manha?")
        let saturday = Self.monday.adding(days: 5)
        let starts = Self.buttons(again).compactMap { Self.slotStart($0.id) }
        #expect(!starts.isEmpty && starts.allSatisfy { CivilDay(instant: $0, in: Self.zone) == saturday }, "\(Self.buttons(again).map(\.title))")
        #expect(try await Self.bookings(harness, on: thursday).allSatisfy { $0.status != .confirmed || $0.startsAt == ten })
        try await harness.stop()
    }

    @Test("missing service is asked; none fits offers others; a subject change ends the flow and frees the holds")
    func missingServiceNoneFitsAndSubjectChange() async throws {
        let (harness, _) = try await Self.start()
        var eva = Contact(harness, chat: 8121)
        let ask = try await eva.say("quero agendar um horário")
        #expect(Self.text(ask) == (try await Self.texts()).text(.bookingAskService, .pt, ["contact.name": "Ana"]))
        let services = Self.buttons(ask).map(\.id)
        #expect(services == (try await Self.calendar()).services.map { "service:" + $0.id })
        let first = Self.buttons(try await eva.tap("service:corte")).compactMap { Self.slotStart($0.id) }
        #expect(first.count == 3)
        let others = Self.buttons(try await eva.say("nenhum serve")).compactMap { Self.slotStart($0.id) }
        #expect(others.count == 3 && Set(others).isDisjoint(with: first))
        let conversation = try #require(try await harness.gateway.runtime.store.conversation(channelID: "tg", platformChatID: "8121"))
        #expect(conversation.memory.scheduling?.step == .pick)

        // A question for another agent: answered by it, the flow ends, nothing stays held.
        let pix = try await eva.say("vocês aceitam pix?")
        #expect(try await eva.lastTrace().agent == "geral")
        #expect(Self.text(pix).contains("Pix"), "\(Self.text(pix))")
        let after = try #require(try await harness.gateway.runtime.store.conversation(channelID: "tg", platformChatID: "8121"))
        #expect(after.memory.scheduling == nil)
        let now = Self.mondayMorning
        #expect(try await harness.gateway.runtime.store.counts().inboundMessages > 0)
        let held = try await (harness.gateway.runtime.store as? any BookingStore)?.occupancy(from: now, to: now + 30 * 86_400_000, now: now) ?? []
        #expect(held.filter { $0.conversationID == conversation.id }.isEmpty)
        try await harness.stop()
    }

    @Test("reschedule and cancel by chat; the moved booking keeps one reminder set, the cancelled none")
    func rescheduleAndCancel() async throws {
        let (harness, _) = try await Self.start()
        var fabi = Contact(harness, chat: 8131)
        _ = try await fabi.say("queria marcar uma avaliação na quarta às 10h")
        _ = try await fabi.say("1")
        let wednesday = Self.monday.adding(days: 2)
        let original = try #require(try await Self.bookings(harness, on: wednesday).first { $0.status == .confirmed })

        let offer = try await fabi.say("dá pra mudar pra terça?")
        let tuesday = Self.monday.adding(days: 1)
        let starts = Self.buttons(offer).compactMap { Self.slotStart($0.id) }
        #expect(!starts.isEmpty && starts.allSatisfy { CivilDay(instant: $0, in: Self.zone) == tuesday })
        let moved = Self.text(try await fabi.say("1"))
        #expect(moved.contains("Remarcado") && moved.contains("quarta, 25/11"))
        #expect(try await harness.gateway.receptionist.bookings(on: wednesday, calendar: try await Self.calendar()).first { $0.id == original.id }?.status == .cancelled)
        let now = try #require(try await Self.bookings(harness, on: tuesday).first { $0.status == .confirmed })
        #expect(now.startsAt == starts[0] && now.replaces == original.id)

        let cancelled = Self.text(try await fabi.say("preciso desmarcar"))
        #expect(cancelled.contains("cancelei") && cancelled.contains("terça, 24/11"))
        #expect(try await Self.bookings(harness, on: tuesday).first { $0.id == now.id }?.status == .cancelled)
        #expect(Self.text(try await fabi.say("quero cancelar meu horário")) == (try await Self.texts()).text(.bookingNoneFound, .pt, ["contact.name": "Ana"]))
        // A question about the rules is answered, not acted on.
        _ = try await fabi.say("qual a política de cancelamento?")
        #expect(try await fabi.lastTrace().decision != "scheduling:done")
        try await harness.stop()
    }

    /// The conversation of issue 15: a day and a time while other slots are on offer is a new
    /// wish, not a pick of the offered slot at that time.
    @Test("rescheduling to 'quinta às 10h' while Tuesday's slots are offered moves it to Thursday at 10")
    func aDayAndTimeWhileSlotsAreOfferedIsANewWish() async throws {
        let (harness, _) = try await Self.start()
        var hana = Contact(harness, chat: 8161)
        _ = try await hana.say("quero marcar manicure na segunda da semana que vem às 9h")
        _ = try await hana.say("1")
        let tuesdayOffer = try await hana.say("preciso remarcar pra terça")
        #expect(Self.buttons(tuesdayOffer).compactMap { Self.slotStart($0.id) }.allSatisfy { CivilDay(instant: $0, in: Self.zone) == Self.monday.adding(days: 1) })
        let thursday = Self.monday.adding(days: 3)
        let offer = try await hana.say("pode ser quinta às 10h?")
        let starts = Self.buttons(offer).compactMap { Self.slotStart($0.id) }
        #expect(starts.first == thursday.instant(minutes: 10 * 60, in: Self.zone), "\(Self.text(offer))")
        let moved = Self.text(try await hana.say("1"))
        #expect(moved.contains("Remarcado") && moved.contains("quinta, 26/11 às 10:00"), "\(moved)")

        // Week first, then the day and the time; noon falls in the lunch break and says so.
        var ivo = Contact(harness, chat: 8162)
        let nextThursday = Self.buttons(try await ivo.say("queria marcar um corte semana que vem na quinta às 16h")).compactMap { Self.slotStart($0.id) }
        #expect(nextThursday.first == Self.monday.adding(days: 10).instant(minutes: 16 * 60, in: Self.zone))
        var jo = Contact(harness, chat: 8163)
        let noon = try await jo.say("tem horário pra avaliação na terça da semana que vem ao meio-dia?")
        #expect(Self.text(noon).contains("terça, 01/12 às 12:00"), "\(Self.text(noon))")
        let around = Self.buttons(noon).compactMap { Self.slotStart($0.id) }
        #expect(!around.isEmpty && around.allSatisfy { CivilDay(instant: $0, in: Self.zone) == Self.monday.adding(days: 8) })
        try await harness.stop()
    }

    @Test("a reminder fires once, after a restart, and '1' confirms attendance while '2' offers new times")
    func reminderSurvivesARestartAndIsAnswered() async throws {
        let database = try Repository.temporaryDirectory() + "/atende.sqlite"
        var (harness, time) = try await Self.start(databaseURL: database)
        var gabi = Contact(harness, chat: 8141)
        _ = try await gabi.say("quero marcar um corte amanhã às 15h")
        _ = try await gabi.say("1")
        let tuesday = Self.monday.adding(days: 1)
        let booking = try #require(try await Self.bookings(harness, on: tuesday).first { $0.status == .confirmed })
        try await harness.stop()

        // The gateway restarts; the day before, the reminder goes out on its own, once.
        let dayBefore = booking.startsAt - 24 * 3_600_000
        (harness, time) = try await Self.start(at: dayBefore + 5000, databaseURL: database)
        gabi = Contact(harness, chat: 8141)
        gabi.nextUpdate += 50
        try await eventually("the reminder") { gabi.replies.count == 1 }
        let reminder = try #require(gabi.replies.first)
        #expect(Self.text(reminder).contains("Lembrete") && Self.text(reminder).contains("terça, 24/11 às 15:00"))
        #expect(Self.buttons(reminder).map(\.id) == ["reminder:yes", "reminder:move"])
        let confirmed = Self.text(try await gabi.say("1"))
        #expect(confirmed == (try await Self.texts()).text(.bookingAttendanceConfirmed, .pt, ["date": "terça, 24/11", "time": "15:00", "contact.name": "Ana"]))
        #expect(try await harness.gateway.receptionist.bookings(on: tuesday, calendar: try await Self.calendar()).first?.contactConfirmedAt != nil)
        try await harness.settle()
        #expect(gabi.replies.count == 2)

        // An hour before: the second reminder; "2" offers new times for the same service.
        time.advance(millis: 23 * 3_600_000)
        try await eventually("the second reminder") { gabi.replies.count == 3 }
        let offer = try await gabi.tap("reminder:move")
        #expect(!Self.buttons(offer).isEmpty && Self.text(offer).contains("Corte de cabelo"))
        try await harness.settle()
        // Each reminder went out once.
        #expect(gabi.replies.filter { Self.text($0).contains("Lembrete") }.count == 2)
        try await harness.stop()
    }

    @Test("two customers racing for the last slot: one gets it, the other is offered other times")
    func raceForTheSameSlot() async throws {
        let (harness, _) = try await Self.start()
        let store = try #require(harness.gateway.runtime.store as? any BookingStore)
        var hugo = Contact(harness, chat: 8151)
        var iris = Contact(harness, chat: 8152)
        let hugoOffer = Self.buttons(try await hugo.say("quero marcar avaliação quinta às 9h")).compactMap { Self.slotStart($0.id) }
        let nine = try #require(hugoOffer.first)
        // Hugo's hold runs out, Iris is offered the same slot, and both pick it at once.
        let calendar = try await Self.calendar()
        try await store.releaseHolds(conversationID: try #require(try await harness.gateway.runtime.store.conversation(channelID: "tg", platformChatID: "8151")).id, now: Self.mondayMorning)
        let irisOffer = Self.buttons(try await iris.say("quero marcar avaliação quinta às 9h")).compactMap { Self.slotStart($0.id) }
        #expect(irisOffer.first == nine)
        async let hugoAnswer = hugo.tap("slot:\(nine)")
        async let irisAnswer = iris.tap("slot:\(nine)")
        let answers = [Self.text(try await hugoAnswer), Self.text(try await irisAnswer)]
        #expect(answers.filter { $0.hasPrefix("Agendado") }.count == 1, "\(answers)")
        #expect(answers.filter { $0.contains(calendar.services[0].name) || $0.contains("ocupado") }.count == 2)
        let thursday = Self.monday.adding(days: 3)
        #expect(try await Self.bookings(harness, on: thursday).filter { $0.status == .confirmed && $0.startsAt == nine }.count == 1)
        try await harness.stop()
    }

    @Test("a contact without a name on the platform is asked for it; a bad email is refused, a good one kept")
    func asksTheNameAndChecksTheEmail() async throws {
        let (harness, _) = try await Self.start()
        let chat: Int64 = 8161
        var update = 816_100
        func say(_ text: String) async throws -> String {
            let before = harness.telegram.sentMessages.count
            update += 1
            guard case .object(var json) = JSONValue.decode(try Repository.telegramUpdate("update-message-text.json", updateID: update, chatID: chat, text: text)),
                case .object(var message) = json["message"], case .object(var from) = message["from"]
            else { throw FixtureError() }
            from["first_name"] = .string("")
            from.removeValue(forKey: "last_name")
            from.removeValue(forKey: "username")
            message["from"] = .object(from)
            json["message"] = .object(message)
            #expect(try await harness.post(JSONValue.object(json).encodedString()) == 200)
            try await eventually("a reply to \(text)") { harness.telegram.sentMessages.count > before }
            return harness.telegram.sentMessages[before].body.value(at: "text")?.scalarText ?? ""
        }
        _ = try await say("quero marcar uma manicure sexta à tarde")
        #expect(try await say("2").contains("qual é o seu nome"))
        #expect(try await say("joana@").contains("e-mail parece incompleto"))
        #expect(try await say("Joana Lima joana.lima@example.com").hasPrefix("Agendado"))
        let booking = try #require(try await Self.bookings(harness, on: Self.monday.adding(days: 4)).first { $0.status == .confirmed })
        #expect(booking.contactName == "Joana Lima" && booking.email == "joana.lima@example.com")
        try await harness.stop()
    }


    @Test("over WhatsApp (UazAPI): slots as reply buttons, booked by tapping one, moved by words, reminded")
    func whatsAppThroughUazAPI() async throws {
        let api = FakePlatformAPI()
        let apiServer = try await api.start()
        let time = ShiftedTime()
        time.advance(millis: Self.mondayMorning - SystemTime().nowMillis())
        let (gateway, server) = try await GatewayHarness.launch(
            channels: [ChannelConfiguration(id: "wa", adapter: "uazapi", settings: ["token": "xxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", "webhook_secret": "url-secret-1", "api_base": apiServer.baseURL])],
            time: time
        )
        let url = server.baseURL + "/webhooks/wa/url-secret-1"
        var sequence = 0
        /// Sends a text (or a button tap) from the fixture's contact and returns the gateway's next call.
        func send(_ text: String, button: String? = nil) async throws -> FakePlatformAPI.Call {
            guard case .object(var payload) = JSONValue.decode(try Repository.fixture("uazapi", "messages-text-incoming.json")),
                case .object(var message) = payload["message"], case .object(var content) = message["content"]
            else { throw FixtureError() }
            sequence += 1
            message["id"] = .string("5511900000001:SCHED\(sequence)")
            message["messageid"] = .string("SCHED\(sequence)")
            message["text"] = .string(text)
            content["text"] = .string(text)
            message["content"] = .object(content)
            if let button {
                message["buttonOrListid"] = .string(button)
                message["vote"] = .string(text)
                message["messageType"] = .string("ButtonsResponseMessage")
            }
            payload["message"] = .object(message)
            let before = api.calls.count
            let status = try await GatewayHarness.post(url, body: JSONValue.object(payload).encodedString(), headers: [:])
            #expect(status == 200, "webhook answered \(status)")
            // A slow turn shows "typing…" first; the answer is the next send.
            let isAnswer = { (call: FakePlatformAPI.Call) in call.path.hasSuffix("/send/text") || call.path.hasSuffix("/send/menu") }
            try await eventually("an answer to \(text)") { api.calls.dropFirst(before).contains(where: isAnswer) }
            return try #require(api.calls.dropFirst(before).first(where: isAnswer))
        }
        let offer = try await send("Oi! Queria marcar uma avaliação pra sexta de manhã")
        #expect(offer.path.hasSuffix("/send/menu") && offer.body.value(at: "type") == .string("button"))
        #expect(offer.body.value(at: "number") == .string("5511988887777"))
        guard case .array(let choices)? = offer.body.value(at: "choices") else { Issue.record("no choices in \(offer.body)"); return }
        let buttons = choices.compactMap(\.scalarText).map { $0.split(separator: "|").map(String.init) }
        #expect(buttons.count == 3 && buttons.allSatisfy { $0.count == 2 && $0[0].count <= 20 && $0[1].hasPrefix("slot:") })
        let confirmed = try await send(buttons[2][0], button: buttons[2][1])
        #expect(confirmed.path.hasSuffix("/send/text") && (confirmed.body.value(at: "text")?.scalarText ?? "").hasPrefix("Agendado"))
        let friday = Self.monday.adding(days: 4)
        let booking = try #require(try await gateway.receptionist.bookings(on: friday, calendar: try await Self.calendar()).first { $0.status == .confirmed })
        #expect(booking.startsAt == Self.slotStart(buttons[2][1]))

        let moved = try await send("dá pra mudar pra segunda que vem às 10h?")
        guard case .array(let newChoices)? = moved.body.value(at: "choices") else { Issue.record("no new times in \(moved.body)"); return }
        let first = try #require(newChoices.first?.scalarText?.split(separator: "|").map(String.init))
        #expect(first[0] == "seg 30/11 10:00")
        #expect((try await send("10h serve").body.value(at: "text")?.scalarText ?? "").hasPrefix("Remarcado"))

        // The day before, the reminder goes to the same chat with reply buttons.
        let before = api.calls.count
        time.advance(millis: Self.monday.adding(days: 7).instant(minutes: 10 * 60, in: Self.zone) - 24 * 3_600_000 - Self.mondayMorning + 1000)
        try await eventually("the reminder") { api.calls.dropFirst(before).contains { $0.path.hasSuffix("/send/menu") } }
        let reminder = try #require(api.calls.dropFirst(before).first { $0.path.hasSuffix("/send/menu") })
        #expect(reminder.path.hasSuffix("/send/menu") && reminder.body.value(at: "number") == .string("5511988887777"))
        #expect((reminder.body.value(at: "text")?.scalarText ?? "").contains("segunda, 30/11 às 10:00"))
        try await server.stop()
        try await apiServer.stop()
    }
    static let caldav: (url: String, user: String?, password: String?)? = {
        let environment = ProcessInfo.processInfo.environment
        guard let url = environment["ATENDE_TEST_CALDAV_URL"], !url.isEmpty else { return nil }
        return (url, environment["ATENDE_TEST_CALDAV_USER"], environment["ATENDE_TEST_CALDAV_PASSWORD"])
    }()

    @Test(
        "with a CalDAV calendar: its busy times are not offered, a booking becomes an event, a cancellation removes it",
        .enabled(if: caldav != nil, "ATENDE_TEST_CALDAV_URL is not set (scripts/test runs a Radicale)")
    )
    func caldavBusyTimesAndEvents() async throws {
        let server = try #require(Self.caldav)
        let calendar = CalDAVCalendar(settings: CalDAVSettings(collectionURL: server.url, username: server.user, password: server.password), httpClient: .shared)
        let thursday = Self.monday.adding(days: 3)
        // The owner's own appointment, Thursday 09:00–10:00, in the shop's calendar.
        let busyUID = "owner-\(UUID().uuidString)"
        let busy = ICalendarEvent(
            uid: busyUID, start: thursday.instant(minutes: 9 * 60, in: Self.zone), end: thursday.instant(minutes: 10 * 60, in: Self.zone),
            summary: "dentista", stamp: Self.mondayMorning
        )
        try await calendar.putEvent(uid: busyUID, icalendar: busy.document())
        defer { Task { try? await calendar.deleteEvent(uid: busyUID) } }

        let time = ShiftedTime()
        time.advance(millis: Self.mondayMorning - SystemTime().nowMillis())
        let harness = try await GatewayHarness.start(time: time) { configuration in
            configuration.caldav.url = server.url
            configuration.caldav.user = server.user
            configuration.caldav.password = server.password
        }
        var julia = Contact(harness, chat: 8171)
        let offer = Self.buttons(try await julia.say("quero marcar uma avaliação quinta às 9h")).compactMap { Self.slotStart($0.id) }
        #expect(!offer.isEmpty)
        #expect(offer.allSatisfy { $0 >= busy.end || $0 + 30 * 60_000 <= busy.start }, "offered inside the owner's busy time: \(offer)")
        _ = try await julia.say("1")
        let booking = try #require(try await Self.bookings(harness, on: thursday).first { $0.status == .confirmed })
        #expect(booking.startsAt == offer[0])
        let range = (thursday.startMillis(in: Self.zone), thursday.adding(days: 1).startMillis(in: Self.zone))
        // Free-busy answers merge adjacent periods: the booking is covered, maybe with the owner's hour.
        let covers = { (interval: BusyInterval) in interval.start <= booking.startsAt && interval.end >= booking.endsAt }
        try await eventually("the booking in the CalDAV calendar") {
            try await calendar.busyIntervals(from: range.0, to: range.1).contains(where: covers)
        }
        _ = try await julia.say("preciso desmarcar")
        try await eventually("the event removed") {
            try await !calendar.busyIntervals(from: range.0, to: range.1).contains(where: covers)
        }
        try await harness.stop()
    }
}

extension Calendar {
    static let saoPaulo: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "America/Sao_Paulo")!
        return calendar
    }()
}
