import AtendeCore

/// What an agent may do besides answering, when an LLM answers for it. The model only sees the
/// tools its agent's prompt file lists, and the orchestrator refuses calls to any other.
public enum AgentTool: String, Sendable, CaseIterable {
    /// Hand the conversation to a person.
    case handoff
    /// Summarise the conversation so far.
    case summarize
    // The receptionist's operations (they need a `calendar:` in negocio.yaml). The store and the
    // calendar enforce the rules whatever the model asks: hours, notice, capacity, ownership.
    case findSlots = "find_slots"
    case holdSlot = "hold_slot"
    case book
    case cancelBooking = "cancel_booking"
    case reschedule
    case listBookings = "list_bookings"

    /// The function name the model calls.
    var functionName: String {
        switch self {
        case .handoff: "handoff_to_human"
        case .summarize: "summarize_conversation"
        case .findSlots: "find_free_slots"
        case .holdSlot: "hold_slot"
        case .book: "book_slot"
        case .cancelBooking: "cancel_booking"
        case .reschedule: "reschedule_booking"
        case .listBookings: "list_my_bookings"
        }
    }

    /// Whether the tool works on the business calendar.
    var isScheduling: Bool {
        self != .handoff && self != .summarize
    }

    init?(functionName: String) {
        guard let tool = Self.allCases.first(where: { $0.functionName == functionName }) else { return nil }
        self = tool
    }

    var spec: ToolSpec {
        switch self {
        case .handoff:
            ToolSpec(
                name: functionName,
                description: "Hand the conversation to a person from the business when the contact asks for one, is upset, or needs something you cannot do. The contact is told; the bot then stays quiet.",
                parameters: .object([
                    "type": .string("object"),
                    "properties": .object(["reason": .object(["type": .string("string"), "description": .string("Why, in a few words, for the team.")])]),
                    "required": .array([.string("reason")]),
                ])
            )
        case .summarize:
            ToolSpec(
                name: functionName,
                description: "Get a summary of this conversation so far: the last topic and agent, what was answered, what is still open.",
                parameters: .object(["type": .string("object"), "properties": .object([:])])
            )
        case .findSlots:
            ToolSpec(
                name: functionName,
                description: "Find free appointment times for a service, nearest to what the contact asked for. The times found are held for the contact for a few minutes. Offer them to the contact exactly as returned.",
                parameters: Self.object([
                    "service": ("string", "The service id or name, as the contact said it."),
                    "when": ("string", "What the contact asked for, in their words (\"sexta de manhã\", \"amanhã às 15h\"), or an ISO-8601 time; empty for the next free times."),
                ], required: ["service"])
            )
        case .holdSlot:
            ToolSpec(
                name: functionName,
                description: "Hold one specific free time for the contact for a few minutes while they decide.",
                parameters: Self.object(["service": ("string", "The service id or name."), "start": ("string", "The start, ISO-8601 with offset, as find_free_slots returned it.")], required: ["service", "start"])
            )
        case .book:
            ToolSpec(
                name: functionName,
                description: "Book a free time for the contact once they chose it. Fails if the time is not free (then offer others). Returns the confirmation details to tell the contact.",
                parameters: Self.object([
                    "service": ("string", "The service id or name."), "start": ("string", "The start, ISO-8601 with offset, as find_free_slots returned it."),
                    "name": ("string", "The contact's name."), "email": ("string", "The contact's email, only if they gave one."),
                ], required: ["service", "start", "name"])
            )
        case .cancelBooking:
            ToolSpec(
                name: functionName,
                description: "Cancel one of the contact's upcoming bookings, once they asked for it.",
                parameters: Self.object(["booking_id": ("string", "The id from list_my_bookings.")], required: ["booking_id"])
            )
        case .reschedule:
            ToolSpec(
                name: functionName,
                description: "Move one of the contact's upcoming bookings to another free time (found with find_free_slots). The old time is released in the same step.",
                parameters: Self.object(["booking_id": ("string", "The id from list_my_bookings."), "start": ("string", "The new start, ISO-8601 with offset.")], required: ["booking_id", "start"])
            )
        case .listBookings:
            ToolSpec(
                name: functionName,
                description: "List the contact's upcoming bookings with their ids.",
                parameters: .object(["type": .string("object"), "properties": .object([:])])
            )
        }
    }

    static func object(_ properties: [String: (type: String, description: String)], required: [String]) -> JSONValue {
        .object([
            "type": .string("object"),
            "properties": .object(properties.mapValues { .object(["type": .string($0.type), "description": .string($0.description)]) }),
            "required": .array(required.map(JSONValue.string)),
        ])
    }
}
