import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation

/// The `agenda` agent's booking flow: it books, moves and cancels appointments in the chat with
/// no LLM. Once it starts, the orchestrator hands it every message until it ends (booked,
/// cancelled, given up, left alone, or the contact changed the subject).
///
/// The store enforces the calendar's rules atomically; this type only decides what to offer and
/// what the contact meant.
public struct Receptionist: Sendable {
    let store: any BookingStore
    let busyTimes: (any BusyTimeSource)?
    /// Whether bookings are written to the business's own calendar.
    let syncsCalendar: Bool
    /// Where a booking's calendar file is served; without it, replies carry no link.
    let calendarLinks: CalendarLinks?

    public init(store: any BookingStore, busyTimes: (any BusyTimeSource)? = nil, syncsCalendar: Bool = false, calendarLinks: CalendarLinks? = nil) {
        self.store = store
        self.busyTimes = busyTimes
        self.syncsCalendar = syncsCalendar
        self.calendarLinks = calendarLinks
    }

    static let agentID = "agenda"
    /// A flow nobody touched for this long is over; its holds have long expired.
    static let flowTimeoutMillis: Int64 = 30 * 60_000
    static let slotPrefix = "slot:"
    static let servicePrefix = "service:"
    static let bookingPrefix = "booking:"
    static let attendanceChoice = "reminder:yes"
    static let moveChoice = "reminder:move"

    // MARK: Entry points

    /// What is open for "onde paramos?": slots on offer, the contact's next booking.
    func openItems(_ context: TurnContext, calendar: BusinessCalendar) async throws -> [String] {
        var items: [String] = []
        let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
        if hasOpenFlow(context), let flow = context.memory.scheduling, let service = flow.service.flatMap(calendar.service(id:)), !flow.offered.isEmpty {
            items.append(text(.summaryOffered, context, ["service": service.name, "times": flow.offered.map { wording.button($0.start) }.joined(separator: ", ")]))
        }
        if let next = try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now).first(where: { $0.status == .confirmed }) {
            let name = calendar.service(id: next.service)?.name ?? next.service
            items.append(text(.summaryBooked, context, ["service": name, "date": wording.date(next.startsAt), "time": wording.time(next.startsAt)]))
        }
        return items
    }

    /// Whether the message picks one of the slots on offer ("a última", "2", "10h serve"): then the
    /// flow takes it before anything else reads it ("a última" is no "where did we stop").
    func picksOfferedSlot(_ context: TurnContext, calendar: BusinessCalendar) -> Bool {
        guard hasOpenFlow(context), let flow = context.memory.scheduling, flow.step == .pick, !flow.offered.isEmpty else { return false }
        return pick(in: context, words: TextNormalizer.words(context.text), offered: flow.offered, calendar: calendar) != nil
    }

    /// Whether an open flow takes this turn.
    func hasOpenFlow(_ context: TurnContext) -> Bool {
        guard let flow = context.memory.scheduling else { return false }
        return context.now - flow.updatedAt < Self.flowTimeoutMillis
    }

    /// Starts a flow for a message routed to the agenda agent; `nil` leaves the message to the
    /// agent's ordinary answers (a question about the cancellation policy is not a cancellation).
    func start(_ context: inout TurnContext, topic: String?, calendar: BusinessCalendar) async throws -> TurnAnswer? {
        guard !calendar.services.isEmpty else { return nil }
        let words = Set(TextNormalizer.words(context.text))
        if Self.isQuestionAboutRules(words, text: context.text) { return nil }
        // "unha sabado 10h" or "sexta 19h consigo fazer unha?" can read as a confirmation or a move;
        // with no booking to confirm or move and a service or a time named, it is a new booking. A
        // cancellation never becomes one.
        if topic == "confirmar" || topic == "remarcar",
            calendar.service(matching: context.text) != nil || wish(in: context, calendar: calendar) != nil,
            try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now).isEmpty {
            return try await startBooking(&context, serviceID: calendar.service(matching: context.text)?.id ?? context.previousService, calendar: calendar)
        }
        switch topic {
        case "remarcar":
            return try await chooseBooking(&context, goal: .reschedule, calendar: calendar)
        case "cancelar":
            return try await chooseBooking(&context, goal: .cancel, calendar: calendar)
        case "confirmar":
            let upcoming = try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now)
            guard let booking = upcoming.first else { return noBookingFound(&context) }
            return try await confirmAttendance(&context, bookingID: booking.id, calendar: calendar)
        default:
            // "what about monday at 9?" right after the price of a service is about that service.
            let service = calendar.service(matching: context.text)?.id ?? context.previousService
            return try await startBooking(&context, serviceID: service, calendar: calendar)
        }
    }

    /// A booking of `serviceID` (asked for when `nil` and there are several services), near the day
    /// or time the message names: after a routed request, or a "sim" to "Quer marcar um horário?".
    func startBooking(_ context: inout TurnContext, serviceID: String?, calendar: BusinessCalendar) async throws -> TurnAnswer {
        var flow = SchedulingFlow(goal: .book, step: .pick, updatedAt: context.now)
        flow.service = serviceID ?? (calendar.services.count == 1 ? calendar.services[0].id : nil)
        flow.wish = wish(in: context, calendar: calendar)
        return try await proceed(&context, flow: flow, calendar: calendar)
    }

    /// The next message of an open flow; `nil` when the flow ends here and the message should be
    /// routed as usual (a new subject).
    func continueFlow(_ context: inout TurnContext, calendar: BusinessCalendar) async throws -> TurnAnswer? {
        guard var flow = context.memory.scheduling else { return nil }
        flow.updatedAt = context.now
        let words = TextNormalizer.words(context.text)
        let choice = context.turn.messages.last?.choiceID
        if choice == nil, Self.isStop(words) {
            return try await stop(&context)
        }
        switch flow.step {
        case .service:
            let service = choice.flatMap { id in id.hasPrefix(Self.servicePrefix) ? calendar.services.first { $0.id == id.dropFirst(Self.servicePrefix.count) } : nil }
                ?? Self.numbered(words, in: calendar.services)
                ?? calendar.service(matching: context.text)
            guard let service else { return try await leaveOrAsk(&context, flow: flow, calendar: calendar) { context in self.askService(&context, flow: flow, calendar: calendar) } }
            flow.service = service.id
            flow.wish = wish(in: context, calendar: calendar) ?? flow.wish
            return try await proceed(&context, flow: flow, calendar: calendar)

        case .pick:
            guard let service = flow.service.flatMap(calendar.service(id:)) else { return try await stop(&context) }
            let offered = flow.offered
            if let choice, choice.hasPrefix(Self.slotPrefix), let start = Int64(choice.dropFirst(Self.slotPrefix.count)),
                let slot = offered.first(where: { $0.start == start }) {
                return try await picked(&context, slot: slot, flow: flow, service: service, calendar: calendar)
            }
            if let slot = pick(in: context, words: words, offered: offered, calendar: calendar) {
                return try await picked(&context, slot: slot, flow: flow, service: service, calendar: calendar)
            }
            // "sim" to "quinta às 10h está livre, confirmo?"; "sim, mas na sexta" is a new wish.
            if let proposed = Self.proposal(flow), Self.accepts(context.text, words: words),
                wish(in: context, calendar: calendar) == nil, calendar.service(matching: context.text) == nil {
                return try await picked(&context, slot: proposed, flow: flow, service: service, calendar: calendar)
            }
            // "nao vou poder, cancela" while choosing a new booking's time: nothing to cancel but the choice.
            if flow.goal == .book, Self.isCancel(words) {
                return try await stop(&context)
            }
            // "qual o mais cedo que vc tem?", "qualquer horário": the earliest free slot, proposed so that "sim" books it.
            if Self.asksEarliest(words) {
                var earliest = flow
                // On the day asked for, if one was ("quinta" then "any time is fine").
                earliest.wish = flow.wish.flatMap { $0.end - $0.start > 1 ? $0 : nil }
                earliest.offered = []
                return try await offer(&context, flow: earliest, service: service, calendar: calendar, proposeFirst: true)
            }
            if Self.wantsOthers(words) {
                let later = words.contains("tarde") || words.contains("later") || words.contains("depois")
                return try await offer(&context, flow: flow, service: service, calendar: calendar, after: later ? offered.map(\.start).max().map { $0 + 1 } : nil)
            }
            // "tem 10h30?" names a time: a new wish, whatever else the router reads in it.
            if isNewSubject(context), wish(in: context, calendar: calendar) == nil, calendar.service(matching: context.text) == nil {
                try await store.releaseHolds(conversationID: context.turn.conversation.id, now: context.now)
                context.memory.scheduling = nil
                return nil
            }
            // Another day or time, another service, or both: search again.
            let named = calendar.service(matching: context.text)
            var newWish = wish(in: context, calendar: calendar)
            guard newWish != nil || (named != nil && named?.id != service.id) else {
                return try await unclearPick(&context, flow: flow, calendar: calendar)
            }
            // "tem às 16h?" or "de manhã" after asking for Tuesday means Tuesday at 16h or in the
            // morning, not today.
            if let time = newWish, time.end - time.start < 86_400_000, !Self.namesADay(words, text: context.text), let previous = flow.wish {
                let start = sameTime(time.start, on: previous.start, calendar: calendar).start
                newWish = ClosedInterval(start: start, end: start + max(1, time.end - time.start))
            }
            flow.wish = newWish ?? flow.wish
            flow.service = (named ?? service).id
            flow.offered = []
            return try await offer(&context, flow: flow, service: named ?? service, calendar: calendar)

        case .name:
            guard let slot = flow.picked, let service = flow.service.flatMap(calendar.service(id:)) else { return try await stop(&context) }
            let details = ContactDetails.extract(from: context.text)
            if details.emails.isEmpty, context.text.contains("@") {
                let reply = text(.bookingEmailInvalid, context, ["email": context.text])
                context.memory.scheduling = flow
                return answer(&context, Reply(text: reply), step: flow.step)
            }
            guard let name = Self.statedName(context.text, details: details) else {
                return try await leaveOrAsk(&context, flow: flow, calendar: calendar) { context in
                    self.askName(&context, flow: flow, slot: slot, service: service, calendar: calendar)
                }
            }
            return try await book(&context, slot: slot, flow: flow, service: service, calendar: calendar,
                                  contact: BookingContact(name: name, email: details.emails.first?.address))

        case .which:
            let upcoming = try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now)
                .filter { flow.candidates.contains($0.id) }
            let chosen = choice.flatMap { id in id.hasPrefix(Self.bookingPrefix) ? upcoming.first { String($0.id) == id.dropFirst(Self.bookingPrefix.count) } : nil }
                ?? Self.numbered(words, in: upcoming)
                ?? matchingBooking(in: context, upcoming: upcoming, calendar: calendar)
            guard let chosen else {
                return try await leaveOrAsk(&context, flow: flow, calendar: calendar) { context in
                    self.askWhich(&context, goal: flow.goal, bookings: upcoming, calendar: calendar)
                }
            }
            return try await act(&context, on: chosen, goal: flow.goal, calendar: calendar)

        case .reminder:
            guard let bookingID = flow.bookingID else { return try await stop(&context) }
            if choice == Self.attendanceChoice || Self.isYes(words) {
                return try await confirmAttendance(&context, bookingID: bookingID, calendar: calendar)
            }
            if choice == Self.moveChoice || Self.isMove(words), let booking = try await store.booking(id: bookingID), booking.status == .confirmed {
                return try await act(&context, on: booking, goal: .reschedule, calendar: calendar)
            }
            // Anything else is an ordinary message; the reminder needs no answer.
            context.memory.scheduling = nil
            return nil
        }
    }

    /// A reminder came due: tell the contact, and wait for "1" (I'll come) or "2" (move it).
    func remind(_ context: inout TurnContext, bookingID: Int64, calendar: BusinessCalendar) async throws -> TurnAnswer? {
        guard let booking = try await store.booking(id: bookingID), booking.status == .confirmed, booking.startsAt > context.now else { return nil }
        context.memory.scheduling = SchedulingFlow(goal: .reschedule, step: .reminder, service: booking.service, bookingID: booking.id, updatedAt: context.now)
        context.memory.activeAgent = Self.agentID
        context.memory.activeAt = context.now
        let reply = Reply(
            text: text(.bookingReminder, context, values(booking, context: context, calendar: calendar)),
            choices: [
                Choice(id: Self.attendanceChoice, title: text(.bookingChoiceConfirm, context)),
                Choice(id: Self.moveChoice, title: text(.bookingChoiceMove, context)),
            ]
        )
        return answer(&context, reply, step: .reminder)
    }

    // MARK: Steps

    /// Asks for what is missing (the service), or offers slots.
    func proceed(_ context: inout TurnContext, flow: SchedulingFlow, calendar: BusinessCalendar) async throws -> TurnAnswer {
        guard let service = flow.service.flatMap(calendar.service(id:)) else { return askService(&context, flow: flow, calendar: calendar) }
        return try await offer(&context, flow: flow, service: service, calendar: calendar)
    }

    func askService(_ context: inout TurnContext, flow: SchedulingFlow, calendar: BusinessCalendar) -> TurnAnswer {
        var flow = flow
        flow.step = .service
        context.memory.scheduling = flow
        let choices = calendar.services.map { Choice(id: Self.servicePrefix + $0.id, title: $0.name) }
        return answer(&context, Reply(text: text(.bookingAskService, context), choices: choices), step: .service)
    }

    /// Offers the free slots nearest to what the contact asked for, held for them a few minutes.
    /// With `proposeFirst`, the first slot is proposed as the one asked for (the earliest), and a
    /// "sim" books it.
    func offer(
        _ context: inout TurnContext, flow: SchedulingFlow, service: BusinessService, calendar: BusinessCalendar, after: Int64? = nil,
        lead: SystemTexts.Key? = nil, proposeFirst: Bool = false
    ) async throws -> TurnAnswer {
        var flow = flow
        let now = context.now
        let conversationID = context.turn.conversation.id
        let horizonEnd = now + Int64(calendar.horizonDays + 1) * 86_400_000
        let busy = try await busyIntervals(from: now, to: horizonEnd, conversationID: conversationID, ignoring: flow.goal == .reschedule ? flow.bookingID : nil, now: now)
        let search = SlotSearch(availability: Availability(calendar: calendar))
        let excluding = Set(flow.offered.map { Slot(start: $0.start, end: $0.end) })
        let wish = flow.wish.map { SlotWish.window(from: $0.start, to: $0.end) } ?? .anytime
        var slots = search.offer(wish, service: service, busy: busy, now: now, count: 3, after: after, excluding: after == nil ? excluding : [])
        if slots.isEmpty, !excluding.isEmpty {
            // Nothing new near the wish: the next free ones after what was already offered.
            slots = search.offer(.anytime, service: service, busy: busy, now: now, count: 3, after: flow.offered.map(\.start).max().map { $0 + 1 }, excluding: excluding)
        }
        let claims = slots.map { claim(for: $0, service: service, calendar: calendar, context: context, replacing: flow.goal == .reschedule ? flow.bookingID : nil) }
        let held = claims.isEmpty ? [] : try await store.hold(claims, until: now + Int64(calendar.holdMinutes) * 60_000, now: now)
        // A slot someone else took since the search is simply not offered.
        slots = zip(slots, held).compactMap { $1 == nil ? nil : $0 }
        guard !slots.isEmpty else {
            context.memory.scheduling = nil
            return answer(&context, Reply(text: text(.bookingNoSlots, context, ["service": service.name])), step: .pick)
        }
        flow.step = .pick
        flow.service = service.id
        flow.offered = slots.map { ClosedInterval(start: $0.start, end: $0.end) }
        if proposeFirst { flow.wish = ClosedInterval(start: slots[0].start, end: slots[0].start + 1) }
        context.memory.scheduling = flow
        let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
        let near = flow.wish.map { wish in slots.contains { $0.start >= wish.start && $0.start < wish.end } } ?? true
        // The very time asked for is free: say so, and a "sim" books it.
        let key: SystemTexts.Key = Self.proposal(flow) != nil ? .bookingOfferExact : near ? .bookingOffer : .bookingOfferElsewhere
        var message = lead.map { text($0, context, ["service": service.name]) + "\n\n" } ?? ""
        message += text(key, context, [
            "service": service.name, "hold_minutes": String(calendar.holdMinutes),
            "wish": flow.wish.map { wishText($0, wording: wording, calendar: calendar) } ?? "",
            "date": wording.date(slots[0].start), "time": wording.time(slots[0].start),
        ])
        let choices = slots.map { Choice(id: Self.slotPrefix + String($0.start), title: wording.button($0.start)) }
        return answer(&context, Reply(text: message, choices: choices), step: .pick)
    }

    /// A slot was picked: book it, or ask the name first when the gateway does not know it.
    func picked(_ context: inout TurnContext, slot: ClosedInterval, flow: SchedulingFlow, service: BusinessService, calendar: BusinessCalendar) async throws -> TurnAnswer {
        let known = context.memory.contactName ?? context.turn.contactName.flatMap { $0.isEmpty ? nil : $0 }
        guard let name = known else {
            var flow = flow
            flow.picked = slot
            return askName(&context, flow: flow, slot: slot, service: service, calendar: calendar)
        }
        return try await book(&context, slot: slot, flow: flow, service: service, calendar: calendar, contact: BookingContact(name: name))
    }

    func askName(_ context: inout TurnContext, flow: SchedulingFlow, slot: ClosedInterval, service: BusinessService, calendar: BusinessCalendar) -> TurnAnswer {
        var flow = flow
        flow.step = .name
        flow.picked = slot
        context.memory.scheduling = flow
        let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
        let reply = text(.bookingAskName, context, ["service": service.name, "date": wording.date(slot.start), "time": wording.time(slot.start)])
        return answer(&context, Reply(text: reply), step: .name)
    }

    func book(
        _ context: inout TurnContext, slot: ClosedInterval, flow: SchedulingFlow, service: BusinessService, calendar: BusinessCalendar, contact: BookingContact
    ) async throws -> TurnAnswer {
        let replacing = flow.goal == .reschedule ? flow.bookingID : nil
        var claim = claim(for: Slot(start: slot.start, end: slot.end), service: service, calendar: calendar, context: context, replacing: replacing)
        claim.externalBusy = try await externalBusy(from: slot.start, to: slot.end)
        let followUps = BookingFollowUps(
            reminderTimes: calendar.reminderOffsetsMinutes.map { slot.start - Int64($0) * 60_000 }, syncCalendar: syncsCalendar
        )
        let old = try await replacing.asyncFlatMap { try await store.booking(id: $0) }
        guard let booking = try await store.book(claim, contact: contact, followUps: followUps, now: context.now) else {
            // Someone else got it first: other times, right away.
            var flow = flow
            flow.picked = nil
            return try await offer(&context, flow: flow, service: service, calendar: calendar, lead: .bookingTaken)
        }
        context.memory.scheduling = nil
        context.memory.contactName = contact.name ?? context.memory.contactName
        var values = values(booking, context: context, calendar: calendar)
        if let old, old.id != booking.id {
            let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
            values["old_date"] = wording.date(old.startsAt)
            values["old_time"] = wording.time(old.startsAt)
            return answer(&context, Reply(text: text(.bookingMoved, context, values)), step: nil)
        }
        return answer(&context, Reply(text: text(.bookingConfirmed, context, values)), step: nil)
    }

    /// Moving or cancelling: which booking? None, one, or ask.
    func chooseBooking(_ context: inout TurnContext, goal: SchedulingFlow.Goal, calendar: BusinessCalendar) async throws -> TurnAnswer {
        let upcoming = try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now)
        switch upcoming.count {
        case 0:
            return noBookingFound(&context)
        case 1:
            return try await act(&context, on: upcoming[0], goal: goal, calendar: calendar)
        default:
            if let match = matchingBooking(in: context, upcoming: upcoming, calendar: calendar) {
                return try await act(&context, on: match, goal: goal, calendar: calendar)
            }
            return askWhich(&context, goal: goal, bookings: upcoming, calendar: calendar)
        }
    }

    func askWhich(_ context: inout TurnContext, goal: SchedulingFlow.Goal, bookings: [Booking], calendar: BusinessCalendar) -> TurnAnswer {
        guard !bookings.isEmpty else { return noBookingFound(&context) }
        context.memory.scheduling = SchedulingFlow(goal: goal, step: .which, candidates: bookings.map(\.id), updatedAt: context.now)
        let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
        let choices = bookings.prefix(10).map { booking in
            Choice(id: Self.bookingPrefix + String(booking.id), title: wording.button(booking.startsAt))
        }
        return answer(&context, Reply(text: text(.bookingWhich, context), choices: Array(choices)), step: .which)
    }

    func act(_ context: inout TurnContext, on booking: Booking, goal: SchedulingFlow.Goal, calendar: BusinessCalendar) async throws -> TurnAnswer {
        switch goal {
        case .cancel:
            let cancelled = try await store.cancelBooking(id: booking.id, followUps: BookingFollowUps(syncCalendar: syncsCalendar), now: context.now)
            context.memory.scheduling = nil
            return answer(&context, Reply(text: text(.bookingCancelled, context, values(cancelled ?? booking, context: context, calendar: calendar))), step: nil)
        case .reschedule, .book:
            var flow = SchedulingFlow(goal: .reschedule, step: .pick, service: booking.service, bookingID: booking.id, updatedAt: context.now)
            flow.wish = wish(in: context, calendar: calendar)
            guard let service = calendar.service(id: booking.service) ?? calendar.services.first else { return try await stop(&context) }
            flow.service = service.id
            return try await offer(&context, flow: flow, service: service, calendar: calendar)
        }
    }

    func confirmAttendance(_ context: inout TurnContext, bookingID: Int64, calendar: BusinessCalendar) async throws -> TurnAnswer {
        context.memory.scheduling = nil
        guard let booking = try await store.confirmAttendance(bookingID: bookingID, now: context.now), booking.status == .confirmed else {
            return noBookingFound(&context)
        }
        return answer(&context, Reply(text: text(.bookingAttendanceConfirmed, context, values(booking, context: context, calendar: calendar))), step: nil)
    }

    func noBookingFound(_ context: inout TurnContext) -> TurnAnswer {
        context.memory.scheduling = nil
        return answer(&context, Reply(text: text(.bookingNoneFound, context)), step: nil)
    }

    /// The contact gave up: nothing stays held.
    func stop(_ context: inout TurnContext) async throws -> TurnAnswer {
        try await store.releaseHolds(conversationID: context.turn.conversation.id, now: context.now)
        context.memory.scheduling = nil
        return answer(&context, Reply(text: text(.bookingStopped, context)), step: nil)
    }

    /// An answer the flow did not understand: a new subject ends the flow (the message is routed
    /// as usual); anything else gets the question again.
    func leaveOrAsk(
        _ context: inout TurnContext, flow: SchedulingFlow, calendar: BusinessCalendar, ask: (inout TurnContext) -> TurnAnswer
    ) async throws -> TurnAnswer? {
        if isNewSubject(context) {
            try await store.releaseHolds(conversationID: context.turn.conversation.id, now: context.now)
            context.memory.scheduling = nil
            return nil
        }
        return ask(&context)
    }

    func unclearPick(_ context: inout TurnContext, flow: SchedulingFlow, calendar: BusinessCalendar) async throws -> TurnAnswer? {
        try await leaveOrAsk(&context, flow: flow, calendar: calendar) { context in
            context.memory.scheduling = flow
            let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
            let choices = flow.offered.map { Choice(id: Self.slotPrefix + String($0.start), title: wording.button($0.start)) }
            return self.answer(&context, Reply(text: self.text(.bookingPickUnclear, context, ["count": String(flow.offered.count)]), choices: choices), step: .pick)
        }
    }

    // MARK: Reading the contact

    /// A message the classifier confidently sends to another agent (or to a person) is a new subject.
    func isNewSubject(_ context: TurnContext) -> Bool {
        guard let result = context.result ?? Optional(context.agentSet.classifier(for: context.audience).classify(context.text)) else { return false }
        return result.confident && result.route != Self.agentID
    }

    /// What the contact asked for, as `[from, to)`: a day, a part of a day, a time (with an hour
    /// around it), or an open interval up to the end of its day.
    func wish(in context: TurnContext, calendar: BusinessCalendar) -> ClosedInterval? {
        wish(text: context.text, now: context.now, language: context.language, calendar: calendar)
    }

    func wish(text: String, now: Int64, language: Language, calendar: BusinessCalendar) -> ClosedInterval? {
        let reference = Date(timeIntervalSince1970: Double(now) / 1000)
        let entities = calendar.dateExtractor.extract(from: text, reference: reference, timeZone: calendar.timeZone, language: language)
        guard let entity = entities.first else { return nil }
        let day: Int64 = 86_400_000
        switch entity.value {
        case .instant(let date):
            // Only dates within the booking horizon's reach are wishes; no arithmetic on others.
            guard let start = date.epochMillis, abs(start - now) < 100 * 365 * day else { return nil }
            switch entity.grain {
            case .second, .minute, .hour: return ClosedInterval(start: start, end: start + 1)
            case .day: return ClosedInterval(start: start, end: start + day)
            case .week: return ClosedInterval(start: start, end: start + 7 * day)
            case .month, .quarter, .year: return ClosedInterval(start: start, end: start + 31 * day)
            }
        case .interval(let from, let to):
            let reach = 100 * 365 * day
            guard let start = from.map({ $0.epochMillis }) ?? now, abs(start - now) < reach else { return nil }
            guard let end = to.map({ $0.epochMillis }) ?? endOfDay(start, calendar: calendar), abs(end - now) < reach else { return nil }
            return end > start ? ClosedInterval(start: start, end: end) : nil
        }
    }

    func endOfDay(_ millis: Int64, calendar: BusinessCalendar) -> Int64 {
        var gregorian = Calendar(identifier: .gregorian)
        gregorian.timeZone = calendar.timeZone
        let date = Date(timeIntervalSince1970: Double(millis) / 1000)
        let start = gregorian.startOfDay(for: date)
        let next = gregorian.date(byAdding: .day, value: 1, to: start) ?? start.addingTimeInterval(86_400)
        return next.epochMillis ?? millis + 86_400_000
    }

    /// The offered slot the words name: its number, its place ("a segunda", "the last one"), or its time ("10h serve").
    func pick(in context: TurnContext, words: [String], offered: [ClosedInterval], calendar: BusinessCalendar) -> ClosedInterval? {
        if let slot = Self.numbered(words, in: offered) { return slot }
        let entities = calendar.dateExtractor.extract(
            from: context.text, reference: Date(timeIntervalSince1970: Double(context.now) / 1000), timeZone: calendar.timeZone, language: context.language
        )
        // "a segunda" alone is the second option, not Monday; a time beside it is a wish.
        if words.count <= 4, let index = Self.ordinal(words), entities.allSatisfy({ $0.grain >= .day }) {
            if index < 0 { return offered.last }
            return offered.indices.contains(index) ? offered[index] : nil
        }
        let wording = SlotWording(language: .pt, timeZone: calendar.timeZone)
        // "quinta às 10h" while Tuesday's slots are offered is a new wish, not Tuesday at 10: with
        // a day named, only the offered slot at that very day and time is a pick.
        let namesADay = Self.namesADay(words, text: context.text)
        for entity in entities {
            guard case .instant(let date) = entity.value, entity.grain <= .hour, let millis = date.epochMillis else { continue }
            if namesADay { return offered.first { $0.start == millis } }
            if let exact = offered.first(where: { $0.start == millis }) { return exact }
            let wanted = wording.parts(millis)
            if let slot = Self.offeredSlot(hour: wanted.hour ?? -1, minute: wanted.minute, in: offered, wording: wording) { return slot }
        }
        if entities.isEmpty, let hour = Self.bareHour(words) {
            // "a das 15", "o das 3": an hour written without "h", which only a pick among offered
            // slots makes a time.
            return Self.offeredSlot(hour: hour, minute: nil, in: offered, wording: wording)
        }
        return nil
    }

    /// The one offered slot at `hour` (and `minute`, when given), else the one twelve hours off:
    /// "9:30 works" read as 21:30 is the offered 9:30 in the morning, "o das 3" the 15:00.
    static func offeredSlot(hour: Int, minute: Int?, in offered: [ClosedInterval], wording: SlotWording) -> ClosedInterval? {
        func slots(_ hourMatches: (Int) -> Bool) -> [ClosedInterval] {
            offered.filter { slot in
                let parts = wording.parts(slot.start)
                return hourMatches(parts.hour ?? -1) && (minute == nil || parts.minute == minute)
            }
        }
        let sameTime = slots { $0 == hour }
        if sameTime.count == 1 { return sameTime[0] }
        guard sameTime.isEmpty else { return nil }
        let twelveHours = slots { $0 % 12 == hour % 12 }
        return twelveHours.count == 1 ? twelveHours[0] : nil
    }

    /// The hour in "a das 15", "o das 3", "as 10 serve": a number from 0 to 23 right after "das"
    /// or "as".
    static func bareHour(_ words: [String]) -> Int? {
        for (index, word) in words.enumerated().dropFirst() where ["das", "as"].contains(words[index - 1]) {
            if let hour = Int(word), (0...23).contains(hour) { return hour }
        }
        return nil
    }

    func matchingBooking(in context: TurnContext, upcoming: [Booking], calendar: BusinessCalendar) -> Booking? {
        guard let wish = wish(in: context, calendar: calendar) else { return nil }
        // "a de sexta": the booking on the day named; for a move, the day named is usually the new one.
        let onDay = upcoming.filter { $0.startsAt >= wish.start - 86_400_000 && $0.startsAt < max(wish.end, wish.start + 1) }
        return onDay.count == 1 ? onDay[0] : nil
    }

    /// Whether the words name a day ("terça", "amanhã", "dia 25", "25/11"), not only a time.
    static func namesADay(_ words: [String], text: String) -> Bool {
        let days: Set<String> = [
            "hoje", "amanha", "depois", "segunda", "terca", "quarta", "quinta", "sexta", "sabado", "domingo", "dia", "semana",
            "today", "tomorrow", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week",
            "janeiro", "fevereiro", "marco", "abril", "maio", "junho", "julho", "agosto", "setembro", "outubro", "novembro", "dezembro",
        ]
        return !Set(words).isDisjoint(with: days) || text.contains("/")
    }

    /// The wall-clock time of `time` on the day of `day`, in the business's zone.
    func sameTime(_ time: Int64, on day: Int64, calendar: BusinessCalendar) -> ClosedInterval {
        let zone = calendar.timeZone
        let minutes = Int((time - CivilDay(instant: time, in: zone).startMillis(in: zone)) / 60_000)
        let start = CivilDay(instant: day, in: zone).instant(minutes: minutes, in: zone)
        return ClosedInterval(start: start, end: start + 1)
    }

    static func numbered<Item>(_ words: [String], in items: [Item]) -> Item? {
        let numbers = words.compactMap { Int($0) }
        // "2", "a 2", "opção 2", "numero 2"; not "2 pessoas às 15".
        guard numbers.count == 1, words.count <= 3, let number = numbers.first, items.indices.contains(number - 1) else { return nil }
        return items[number - 1]
    }

    /// 0-based place named by the words, -1 for the last.
    static func ordinal(_ words: [String]) -> Int? {
        let places: [String: Int] = [
            "primeira": 0, "primeiro": 0, "first": 0, "segunda": 1, "segundo": 1, "second": 1, "terceira": 2, "terceiro": 2, "third": 2,
            "ultima": -1, "ultimo": -1, "last": -1,
        ]
        return words.lazy.compactMap { places[$0] }.first
    }

    static func wantsOthers(_ words: [String]) -> Bool {
        let set = Set(words)
        if !set.isDisjoint(with: ["nenhum", "nenhuma", "outro", "outra", "outros", "outras", "none", "other", "another", "others"]) { return true }
        let text = words.joined(separator: " ")
        return ["mais tarde", "mais cedo", "nao serve", "nao da", "nao posso", "later", "earlier", "doesnt work", "dont work", "cant"].contains { text.contains($0) }
    }

    static func isStop(_ words: [String]) -> Bool {
        let text = " " + words.joined(separator: " ") + " "
        return [" desisto ", " deixa pra la ", " deixa para la ", " esquece ", " nao quero mais ", " never mind ", " nevermind ", " forget it ", " nao precisa mais "]
            .contains { text.contains($0) }
    }

    /// The offered slot at the exact time the contact asked for ("quinta às 10h"), which the
    /// offer proposes first.
    static func proposal(_ flow: SchedulingFlow) -> ClosedInterval? {
        guard let wish = flow.wish, wish.end - wish.start <= 1, let first = flow.offered.first, first.start == wish.start else { return nil }
        return first
    }

    /// A yes to a proposal: "sim", "pode ser", "ok", "👍", "confirma", "fechado".
    static func accepts(_ text: String, words: [String]) -> Bool {
        if let short = ShortReply(text), short == .yes || short == .okay { return true }
        return isYes(words) || ["pode ser", "pode marcar", "pode confirmar", "fechado", "perfeito", "go ahead", "book it", "sounds good"].contains { words.joined(separator: " ").hasPrefix($0) }
    }

    /// "prefiro", "melhor", "na verdade", "muda", "actually", "rather", "instead": a new choice
    /// about what was just settled.
    static func changesMind(_ text: String) -> Bool {
        let words = Set(TextNormalizer.chatWords(text))
        return !words.isDisjoint(with: [
            "prefiro", "preferia", "melhor", "verdade", "muda", "mudar", "troca", "trocar", "passa", "actually", "rather", "instead", "better", "change", "switch", "move",
        ])
    }

    /// The contact's one upcoming booking, moved to the day or time of this message; `nil` when
    /// there is none or several (the usual "which one?" then follows the usual route).
    func moveOnlyBooking(_ context: inout TurnContext, calendar: BusinessCalendar) async throws -> TurnAnswer? {
        let upcoming = try await store.upcomingBookings(conversationID: context.turn.conversation.id, now: context.now)
        guard upcoming.count == 1 else { return nil }
        return try await act(&context, on: upcoming[0], goal: .reschedule, calendar: calendar)
    }

    /// "cancela", "desmarca", "cancel": the router's own word group for cancelling.
    static func isCancel(_ words: [String]) -> Bool {
        words.contains { IntentConcepts.concept(of: $0) == "cancelar" }
    }

    /// "o mais cedo", "o primeiro horário livre", "the earliest", "your first opening", and "any
    /// time", "tanto faz": the earliest then.
    static func asksEarliest(_ words: [String]) -> Bool {
        let text = " " + words.joined(separator: " ") + " "
        return [
            " o mais cedo ", " mais cedo que ", " primeiro horario ", " qualquer horario ", " qualquer um ", " qualquer uma ", " tanto faz ",
            " earliest ", " first available ", " first opening ", " any time ", " anytime ", " whichever ", " doesnt matter ",
        ].contains { text.contains($0) }
    }

    static func isYes(_ words: [String]) -> Bool {
        guard let first = words.first, words.count <= 6 else { return false }
        return ["1", "sim", "confirmo", "confirmado", "confirmada", "confirmar", "vou", "yes", "confirm", "confirmed", "ok", "certo"].contains(first)
    }

    static func isMove(_ words: [String]) -> Bool {
        guard let first = words.first, words.count <= 8 else { return false }
        return first == "2" || words.contains { ["remarcar", "reagendar", "mudar", "trocar", "reschedule", "move", "change"].contains($0) }
    }

    /// "Como funciona o cancelamento?", "what is your cancellation policy": about the rules, not a request.
    static func isQuestionAboutRules(_ words: Set<String>, text: String = "") -> Bool {
        var words = words
        // "tem como cortar dia 24?" asks for a booking ("is it possible"), not how things work.
        let folded = " " + TextNormalizer.words(text).joined(separator: " ") + " "
        if [" tem como ", " teria como ", " da como ", " dava como "].contains(where: folded.contains) { words.remove("como") }
        return !words.isDisjoint(with: ["politica", "regra", "regras", "prazo", "taxa", "multa", "antecedencia", "policy", "fee", "rules", "como", "how"])
    }

    /// A name the contact gave: "meu nome é Ana Souza", or just "Ana Souza".
    static func statedName(_ text: String, details: ContactDetails) -> String? {
        if let stated = details.name?.name { return stated }
        var rest = text
        for email in details.emails { rest = rest.replacingOccurrences(of: email.address, with: " ") }
        let words = rest.split(whereSeparator: { $0.isWhitespace || $0 == "," }).map(String.init)
        guard (1...4).contains(words.count), words.allSatisfy({ word in word.allSatisfy { $0.isLetter || $0 == "'" || $0 == "-" || $0 == "." } }) else { return nil }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }

    // MARK: Helpers

    func claim(for slot: Slot, service: BusinessService, calendar: BusinessCalendar, context: TurnContext, replacing: Int64?) -> SlotClaim {
        SlotClaim(
            conversationID: context.turn.conversation.id, service: service.id, startsAt: slot.start, endsAt: slot.end,
            bufferMillis: Int64(calendar.bufferMinutes) * 60_000, capacity: calendar.capacity, replacing: replacing
        )
    }

    /// What takes room: bookings and others' holds (this conversation's own holds and the booking
    /// being moved do not), and the business's own calendar.
    func busyIntervals(from: Int64, to: Int64, conversationID: Int64, ignoring: Int64?, now: Int64) async throws -> [BusyInterval] {
        let bookings = try await store.occupancy(from: from, to: to, now: now)
            .filter { !($0.status == .held && $0.conversationID == conversationID) && $0.id != ignoring }
            .map { BusyInterval(start: $0.startsAt, end: $0.endsAt, takesAllCapacity: false) }
        let external = try await externalBusy(from: from, to: to).map { BusyInterval(start: $0.start, end: $0.end, takesAllCapacity: true) }
        return bookings + external
    }

    func externalBusy(from: Int64, to: Int64) async throws -> [ClosedInterval] {
        guard let busyTimes else { return [] }
        return try await busyTimes.busyIntervals(from: from, to: to).map { ClosedInterval(start: $0.start, end: $0.end) }
    }

    func values(_ booking: Booking, context: TurnContext, calendar: BusinessCalendar) -> [String: String] {
        let wording = SlotWording(language: context.language, timeZone: calendar.timeZone)
        let service = calendar.service(id: booking.service)
        return [
            "service": service?.name ?? booking.service, "date": wording.date(booking.startsAt), "time": wording.time(booking.startsAt),
            "price": service?.price ?? "", "calendar_link": calendarLinks?.link(booking) ?? "",
        ]
    }

    /// The wish as the contact asked it: the day, its time when one was named ("terça, 15/12 às
    /// 12:00"), or its part of the day ("sexta, 11/12 das 17:00 às 19:00"), and why a day is closed.
    func wishText(_ wish: ClosedInterval, wording: SlotWording, calendar: BusinessCalendar) -> String {
        let zone = calendar.timeZone
        let dayStart = CivilDay(instant: wish.start, in: zone)
        var text = wording.date(wish.start)
        let wholeDay = wish.start == dayStart.startMillis(in: zone) && wish.end - wish.start >= 86_400_000 - 3_600_000
        if wish.end - wish.start <= 1 {
            text += (wording.language == .pt ? " às " : " at ") + wording.time(wish.start)
        } else if !wholeDay, wish.end - wish.start < 86_400_000 {
            text += wording.language == .pt ? " das \(wording.time(wish.start)) às \(wording.time(wish.end))" : " \(wording.time(wish.start))–\(wording.time(wish.end))"
        }
        let closed = calendar.closure(on: dayStart)
        return closed.map { "\(text) (\($0))" } ?? text
    }

    func text(_ key: SystemTexts.Key, _ context: TurnContext, _ values: [String: String] = [:]) -> String {
        let name = context.memory.contactName ?? context.turn.contactName ?? ""
        return context.agentSet.library.texts.text(key, context.language, values.merging(["contact.name": name]) { $1 })
    }

    func answer(_ context: inout TurnContext, _ reply: Reply, step: SchedulingFlow.Step?) -> TurnAnswer {
        context.memory.activeAgent = Self.agentID
        context.memory.activeAt = context.now
        context.memory.lastIntent = context.result.flatMap { $0.route == Self.agentID ? $0.topic : nil } ?? context.memory.lastIntent
        // A tapped option or a bare "1" is no question to quote back in "onde paramos?".
        let asked = context.turn.messages.last?.choiceID == nil && TextNormalizer.words(context.text).count >= 3
        context.memory.lastQuestion = asked ? context.text : context.memory.lastQuestion
        context.memory.lastAnswer = String(reply.text.prefix(400))
        return context.answer(reply, trace: ReplyTrace(decision: "scheduling:" + (step?.rawValue ?? "done"), agent: Self.agentID))
    }
}

extension Optional {
    func asyncFlatMap<Mapped>(_ transform: (Wrapped) async throws -> Mapped?) async rethrows -> Mapped? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
