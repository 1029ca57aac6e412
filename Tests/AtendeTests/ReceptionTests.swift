import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeServer
import AtendeTestSupport
import AtendeUnderstanding
import Foundation
import Testing

/// Reception that knows the business, with no LLM: customers' common questions answered from the
/// shipped `negocio.yaml` (a salon in Campinas), in the language they wrote in.
@Suite struct ReceptionTests {
    typealias Contact = ConversationScenarioTests.Contact
    static let zone = TimeZone(identifier: "America/Sao_Paulo")!
    /// Monday 2026-11-23 in São Paulo.
    static let monday = CivilDay(year: 2026, month: 11, day: 23)

    static func start(at minutes: Int, on day: CivilDay = monday) async throws -> (GatewayHarness, ShiftedTime) {
        let time = ShiftedTime()
        time.advance(millis: day.instant(minutes: minutes, in: zone) - SystemTime().nowMillis())
        return (try await GatewayHarness.start(time: time), time)
    }

    static func answer(_ contact: inout Contact, _ text: String) async throws -> String {
        try await contact.say(text).body.value(at: "text")?.scalarText ?? ""
    }

    @Test func hoursAreAnsweredForTheWeekADayAndNow() async throws {
        let (harness, time) = try await Self.start(at: 10 * 60)
        do {
            var ana = Contact(harness, chat: 9801)
            let week = try await Self.answer(&ana, "qual o horário de funcionamento de vocês?")
            #expect(week.contains("segunda a sexta, das 9h às 12h e das 13h às 19h") && week.contains("sábado, das 9h às 14h") && week.contains("domingo, fechado"), "\(week)")
            #expect(try await ana.lastTrace().facts == "hours")
            #expect(try await Self.answer(&ana, "vocês abrem domingo?").hasPrefix("Não abrimos domingo. Abrimos segunda 30/11 às 9h."))
            #expect(try await Self.answer(&ana, "vcs abrem sabado?") == "Sim! Abrimos sábado, das 9h às 14h.")
            #expect(try await Self.answer(&ana, "estão abertos agora?") == "Sim, estamos abertos agora, até as 12h.")
            // Settled first: moving the clock past a lease still held would send a reply twice.
            try await harness.settle()
            time.advance(millis: 150 * 60_000)  // 12:30, the lunch break
            #expect(try await Self.answer(&ana, "vcs tao abertos agora?") == "Agora estamos fechados. Abrimos hoje às 13h.")
            // The week's hours asked while closed also say when it opens next.
            let closedWeek = try await Self.answer(&ana, "qual o horario de vcs?")
            #expect(closedWeek.contains("sábado, das 9h às 14h") && closedWeek.hasSuffix("Agora estamos fechados. Abrimos hoje às 13h."), "\(closedWeek)")
            #expect(try await Self.answer(&ana, "vocês abrem no natal?").hasPrefix("Não abrimos sexta 25/12 (Natal)."))

            var bob = Contact(harness, chat: 9802)
            #expect(try await Self.answer(&bob, "are you open on saturday?") == "Yes! We're open on Saturday, 9:00–14:00.")
            // Asked when, not whether: no "yes".
            #expect(try await Self.answer(&bob, "what are your hours on saturday?") == "We're open on Saturday, 9:00–14:00.")
            #expect(try await Self.answer(&ana, "qual o horario de sabado?") == "Abrimos sábado, das 9h às 14h.")
            #expect(try await Self.answer(&bob, "what are your opening hours?").contains("Monday to Friday, 9:00–12:00 and 13:00–19:00"))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    @Test func addressPaymentsServicesPricesAndTheBusinessesOwnQuestions() async throws {
        let (harness, _) = try await Self.start(at: 10 * 60)
        do {
            var ana = Contact(harness, chat: 9811)
            let location = try await Self.answer(&ana, "onde fica o salão?")
            #expect(location.contains("Rua das Flores, 123, sala 4, Centro, Campinas/SP") && location.contains("https://www.google.com/maps/"), "\(location)")
            #expect(location.contains("(19) 3333-4444"))
            #expect(try await Self.answer(&ana, "vocês aceitam pix?") == "Aceitamos Pix, cartão de crédito e débito e dinheiro.")
            #expect(try await Self.answer(&ana, "quanto custa o corte de cabelo?") == "Corte de cabelo: R$ 80 (45 min). Quer marcar um horário?")
            let services = try await Self.answer(&ana, "quais serviços vocês fazem?")
            #expect(services.contains("Avaliação: gratuita, 30 min") && services.contains("Manicure: R$ 45, 60 min"), "\(services)")
            let parking = try await Self.answer(&ana, "tem onde estacionar ai?")
            #expect(parking.contains("estacionamento conveniado"), "\(parking)")
            #expect(try await ana.lastTrace().facts == "faq(0)")

            var bob = Contact(harness, chat: 9812)
            #expect(try await Self.answer(&bob, "how much is a manicure?") == "Manicure: R$ 45 (60 min). Would you like to book?")
            #expect(try await Self.answer(&bob, "do you take credit cards?") == "We accept Pix, credit and debit cards and cash.")
            #expect(try await Self.answer(&bob, "do you cut kids hair?").contains("children from 4 years old"))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// The FAQ is asked in words its examples do not use; words it shares with every price or
    /// booking question ("cortar", "cabelo", "perto") do not make a question about it.
    @Test func theBusinessesOwnQuestionsAreKnownInOtherWords() async throws {
        let (harness, _) = try await Self.start(at: 10 * 60)
        do {
            var ana = Contact(harness, chat: 9821)
            #expect(try await Self.answer(&ana, "tem onde deixar o carro?").contains("estacionamento conveniado"))
            let child = try await Self.answer(&ana, "minha filha tem 5 aninhos, vcs atendem?")
            #expect(child.contains("a partir de 4 anos"), "\(child)")
            // A FAQ answer about a service the question names carries its price too.
            let childPrice = try await Self.answer(&ana, "quanto fica o corte infantil?")
            #expect(childPrice.contains("a partir de 4 anos") && childPrice.contains("Corte de cabelo: R$ 80 (45 min)"), "\(childPrice)")
            #expect(try await Self.answer(&ana, "quanto custa cortar o cabelo?") == "Corte de cabelo: R$ 80 (45 min). Quer marcar um horário?")
            #expect(try await Self.answer(&ana, "vcs ficam perto do metro?").contains("Rua das Flores, 123"))
            #expect(try await ana.lastTrace().facts == "location")

            var bob = Contact(harness, chat: 9822)
            #expect(try await Self.answer(&bob, "we're coming by car, where do we park?").contains("partner car park"))
            #expect(!(try await Self.answer(&bob, "do you cut hair?").contains("children")))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// "E demora muito?" after a price is about the service just priced.
    @Test func aPriceFollowUpIsAboutTheServiceJustPriced() async throws {
        let (harness, _) = try await Self.start(at: 10 * 60)
        do {
            var ana = Contact(harness, chat: 9831)
            #expect(try await Self.answer(&ana, "qnto ta a manicure?") == "Manicure: R$ 45 (60 min). Quer marcar um horário?")
            #expect(try await Self.answer(&ana, "e demora muito?") == "Manicure: R$ 45 (60 min). Quer marcar um horário?")
            // Only the next message leans on it: later, the question is the whole list again.
            _ = try await Self.answer(&ana, "obrigada")
            #expect(try await Self.answer(&ana, "quanto tempo demora?").contains("Avaliação: gratuita, 30 min"))
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// After a booking, "1", "ok", "👍" and "obrigado" are no new subject; "sim" to "Quer marcar um
    /// horário?" starts that booking.
    @Test func shortRepliesAfterAFlowAreAcknowledgedAndASimBooksWhatWasOffered() async throws {
        let (harness, _) = try await Self.start(at: 10 * 60)
        do {
            let texts = try await Repository.agents().library.texts
            var ana = Contact(harness, chat: 9821)
            _ = try await ana.say("quero marcar corte amanhã às 15h")
            #expect(try await Self.answer(&ana, "1").contains("Agendado"))
            #expect(try await Self.answer(&ana, "1") == texts.text(.bareNumber, .pt, ["number": "1", "contact.name": "Test Firstname"]))
            #expect(try await ana.lastTrace().decision == "short:number")
            for short in ["ok", "👍", "blz, valeu"] {
                _ = try await Self.answer(&ana, short)
                let trace = try await ana.lastTrace()
                #expect(trace.decision == "short:acknowledged", "\(short) → \(trace.decision) \(trace.agent ?? "")")
            }

            var bia = Contact(harness, chat: 9822)
            #expect(try await Self.answer(&bia, "quanto custa a manicure?").hasSuffix("Quer marcar um horário?"))
            let offer = try await bia.say("sim")
            let buttons = offer.body.value(at: "reply_markup.inline_keyboard")
            #expect(buttons != nil, "slots are offered: \(offer.body.encodedString())")
            #expect((offer.body.value(at: "text")?.scalarText ?? "").contains("Manicure"))
            // Without an offer pending, "sim" is only acknowledged.
            var caio = Contact(harness, chat: 9823)
            _ = try await Self.answer(&caio, "sim")
            #expect(try await caio.lastTrace().decision == "short:acknowledged")
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }

    /// "onde paramos?" quotes what the contact asked, never an option's title, and says what is open.
    @Test func whereDidWeStopQuotesTheQuestionAndNamesWhatIsOpen() async throws {
        let (harness, _) = try await Self.start(at: 10 * 60)
        do {
            var ana = Contact(harness, chat: 9831)
            let offer = try await ana.say("quero marcar manicure na quinta às 10h")
            let first = try #require(offer.body.value(at: "reply_markup.inline_keyboard.0.0.callback_data")?.scalarText)
            let whileOffered = try await Self.answer(&ana, "onde paramos?")
            #expect(whileOffered.contains("quero marcar manicure na quinta às 10h") && whileOffered.contains("Em aberto: os horários para Manicure"), "\(whileOffered)")
            _ = try await ana.tap(first)
            let after = try await Self.answer(&ana, "onde paramos?")
            #expect(after.contains("Você perguntou: \"quero marcar manicure na quinta às 10h\""), "\(after)")
            #expect(after.contains("Seu próximo horário: Manicure, quinta, 26/11 às 10:00"), "\(after)")
        } catch {
            Issue.record(error)
        }
        try await harness.stop()
    }
}

/// Customers reach reception, booking and a person; the owner and staff reach every agent.
@Suite struct AudienceTests {
    typealias Contact = ConversationScenarioTests.Contact

    @Test func aCustomerNeverReachesTheOwnersAdvisersAndTheTeamDoes() async throws {
        let customers = try await GatewayHarness.start()
        do {
            var ana = Contact(customers, chat: 9901)
            _ = try await ana.say("meu caixa ta negativo esse mes, o que eu faço?")
            let trace = try await ana.lastTrace()
            #expect(trace.audience == "customers")
            #expect(!["caixa", "financeiro", "vendas", "rh"].contains(trace.agent ?? ""), "a customer reached \(trace.agent ?? "")")
        } catch {
            Issue.record(error)
        }
        try await customers.stop()

        let team = try await GatewayHarness.start { $0.orchestrator.teamChannels = ["tg"] }
        do {
            var owner = Contact(team, chat: 9902)
            _ = try await owner.say("meu caixa ta negativo esse mes, o que eu faço?")
            let trace = try await owner.lastTrace()
            #expect(trace.audience == "team")
            #expect(trace.agent == "caixa")
            // A follow-up that points back stays with the adviser, though "parcelar" is a payment word.
            _ = try await owner.say("sou mei e tenho 2 das atrasados")
            #expect(try await owner.lastTrace().agent == "financeiro")
            _ = try await owner.say("consigo parcelar esses?")
            #expect(try await owner.lastTrace().agent == "financeiro")
            // A new subject after "e" goes where it belongs.
            _ = try await owner.say("e quanto eu cobro numa hidratação nova que quero lançar?")
            #expect(try await owner.lastTrace().agent == "financeiro")
            _ = try await owner.say("preciso contratar uma manicure")
            #expect(try await owner.lastTrace().agent == "rh")
            _ = try await owner.say("e como divulgo o serviço novo no insta?")
            #expect(try await owner.lastTrace().agent == "vendas")
        } catch {
            Issue.record(error)
        }
        try await team.stop()
    }

    @Test func theTeamIsListedByPhoneInAnyFormOrByPlatformID() throws {
        var business = try Repository.business()
        business.team = ["(11) 98888-7777", "123456789"]
        #expect(business.isTeam("5511988887777@s.whatsapp.net"), "a WhatsApp chat id is the same phone")
        #expect(business.isTeam("+5511988887777"))
        #expect(business.isTeam("5511988887777"))
        #expect(business.isTeam("123456789"))
        #expect(business.isTeam("+5521977776666") == false)
    }
}
