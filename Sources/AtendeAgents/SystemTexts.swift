import AtendeCore
import AtendeUnderstanding
import AtendeYAML
import Foundation

/// `prompts/textos.yaml`: what the gateway itself says, per language, kept out of Swift so an
/// admin can word it for the business.
public struct SystemTexts: Sendable {
    /// Every text the gateway uses; the file must give each in Portuguese, English optional.
    public enum Key: String, Sendable, CaseIterable {
        case mediaReceived = "media_received"
        case handoffNotice = "handoff_notice"
        case handoffNotify = "handoff_notify"
        case handoffNote = "handoff_note"
        case handoffSummary = "handoff_summary"
        case clarifyQuestion = "clarify_question"
        case clarifyOther = "clarify_other"
        case summary
        case summaryOpen = "summary_open"
        case summaryEmpty = "summary_empty"
        case summaryOffered = "summary_offered"
        case summaryBooked = "summary_booked"
        case paused
        case resumed
        case pauseCapped = "pause_capped"
        case llmBudgetReached = "llm_budget_reached"
        case receptionHoursWeek = "reception_hours_week"
        case receptionOpenOn = "reception_open_on"
        case receptionHoursOn = "reception_hours_on"
        case receptionClosedOn = "reception_closed_on"
        case receptionOpenNow = "reception_open_now"
        case receptionClosedNow = "reception_closed_now"
        case receptionNextOpen = "reception_next_open"
        case receptionLocation = "reception_location"
        case receptionContacts = "reception_contacts"
        case receptionPayments = "reception_payments"
        case receptionServices = "reception_services"
        case receptionBusiness = "reception_business"
        case receptionPrice = "reception_price"
        case bareNumber = "bare_number"
        case staleChoice = "stale_choice"
        case acknowledged
        case nameNoted = "name_noted"
        case bookingAskService = "booking_ask_service"
        case bookingOffer = "booking_offer"
        case bookingOfferExact = "booking_offer_exact"
        case bookingOfferElsewhere = "booking_offer_elsewhere"
        case bookingNoSlots = "booking_no_slots"
        case bookingPickUnclear = "booking_pick_unclear"
        case bookingTaken = "booking_taken"
        case bookingAskName = "booking_ask_name"
        case bookingEmailInvalid = "booking_email_invalid"
        case bookingConfirmed = "booking_confirmed"
        case bookingMoved = "booking_moved"
        case bookingCancelled = "booking_cancelled"
        case bookingWhich = "booking_which"
        case bookingNoneFound = "booking_none_found"
        case bookingStopped = "booking_stopped"
        case bookingReminder = "booking_reminder"
        case bookingAttendanceConfirmed = "booking_attendance_confirmed"
        case bookingChoiceConfirm = "booking_choice_confirm"
        case bookingChoiceMove = "booking_choice_move"

        /// The placeholders a text may use besides the business profile's, filled when it is sent.
        var variables: Set<String> {
            switch self {
            case .mediaReceived, .clarifyQuestion, .clarifyOther, .summaryEmpty, .paused, .resumed: ["contact.name"]
            case .handoffNotice: ["contact.name"]
            case .pauseCapped: ["until", "max_days"]
            case .llmBudgetReached: ["budget"]
            case .receptionHoursWeek: ["week"]
            case .receptionOpenOn, .receptionHoursOn: ["day", "periods"]
            case .receptionClosedOn: ["day", "why", "next"]
            case .receptionOpenNow: ["until"]
            case .receptionClosedNow: ["next"]
            case .receptionNextOpen: ["day", "time"]
            case .receptionLocation: []
            case .receptionContacts: ["contacts"]
            case .receptionPayments: ["payments"]
            case .receptionServices, .receptionBusiness: ["services"]
            case .receptionPrice: ["service", "price", "minutes"]
            case .bareNumber: ["contact.name", "number"]
            case .staleChoice: ["contact.name", "choice"]
            case .acknowledged, .nameNoted: ["contact.name"]
            case .handoffNotify: ["contact.name", "contact.chat", "channel", "summary"]
            case .handoffNote: ["summary"]
            case .handoffSummary: ["contact.name", "agent", "topic", "request", "last_answer"]
            case .summary: ["contact.name", "agent", "topic", "last_question", "last_answer"]
            case .summaryOpen: ["question"]
            case .summaryOffered: ["contact.name", "service", "times"]
            case .summaryBooked: ["contact.name", "service", "date", "time"]
            case .bookingAskService, .bookingWhich, .bookingNoneFound, .bookingStopped, .bookingChoiceConfirm, .bookingChoiceMove: ["contact.name"]
            case .bookingOffer, .bookingOfferElsewhere: ["contact.name", "service", "hold_minutes", "wish"]
            case .bookingOfferExact: ["contact.name", "service", "hold_minutes", "wish", "date", "time"]
            case .bookingNoSlots, .bookingTaken: ["contact.name", "service"]
            case .bookingPickUnclear: ["contact.name", "count"]
            case .bookingAskName: ["contact.name", "service", "date", "time"]
            case .bookingEmailInvalid: ["contact.name", "email"]
            case .bookingConfirmed, .bookingCancelled, .bookingReminder, .bookingAttendanceConfirmed:
                ["contact.name", "service", "date", "time", "price", "calendar_link"]
            case .bookingMoved: ["contact.name", "service", "date", "time", "price", "calendar_link", "old_date", "old_time"]
            }
        }

        /// The text said instead when a textos.yaml written before this key lacks it: an older
        /// prompts folder keeps loading.
        var fallback: Key? {
            switch self {
            case .bookingOfferExact: .bookingOffer
            case .nameNoted: .acknowledged
            case .receptionHoursOn: .receptionOpenOn
            default: nil
            }
        }
    }

    private var texts: [Key: [Language: String]]
    public var file: String

    /// The text in `language` (Portuguese when it has no translation), placeholders filled; the
    /// fallback's when the file predates the key.
    public func text(_ key: Key, _ language: Language, _ values: [String: String] = [:]) -> String {
        guard let byLanguage = texts[key] else { return key.fallback.map { text($0, language, values) } ?? "" }
        return PromptTemplate.render(byLanguage[language] ?? byLanguage[.pt] ?? "", values)
    }

    public static func load(file path: String, business: BusinessProfile) throws -> SystemTexts {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the system texts file (\(error.localizedDescription))")
        }
        let root = try YAMLNode.parse(text, file: path)
        let top = try root.mapping(allowed: Set(Key.allCases.map(\.rawValue)))
        var texts: [Key: [Language: String]] = [:]
        for key in Key.allCases {
            // A key added after the file was written may be missing when it has a fallback.
            guard let node = key.fallback == nil ? try top.required(key.rawValue) : top[key.rawValue] else { continue }
            var byLanguage: [Language: String] = [:]
            for (name, value) in try node.mappingEntries() {
                guard let language = Language(rawValue: name) else { throw value.problem("'\(name)' is not a language; use pt or en") }
                let written = try value.string().trimmingCharacters(in: .whitespacesAndNewlines)
                let allowed = key.variables.union(BusinessProfile.variableNames)
                if let unknown = PromptTemplate.unknownPlaceholders(in: written, allowed: allowed).first {
                    throw value.problem(
                        "unknown template variable '{{\(unknown.name)}}' in '\(key.rawValue)'; known here: "
                            + allowed.sorted().map { "{{\($0)}}" }.joined(separator: ", ")
                    )
                }
                byLanguage[language] = PromptTemplate.render(written, business.variables)
            }
            guard byLanguage[.pt]?.isEmpty == false else { throw node.problem("'\(key.rawValue)' needs a Portuguese text (pt)") }
            texts[key] = byLanguage
        }
        return SystemTexts(texts: texts, file: path)
    }
}
