import AtendeAgents
import AtendeCore
import AtendeScheduling
import Hummingbird
import NIOCore

/// `GET /calendar/{token}.ics`: a booking's calendar file, the link in the confirmation. The
/// token is the only key (128 random bits), so the link can be shared without an account.
struct CalendarController {
    let runtime: GatewayRuntime
    let bookings: any BookingStore
    let agents: CurrentAgents

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.get("/calendar/:file", use: file)
    }

    @Sendable func file(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        let name = try context.parameters.require("file")
        guard name.hasSuffix(".ics") else { return Response(status: .notFound) }
        let token = String(name.dropLast(4))
        // Tokens are hex; anything else is not worth a query.
        guard token.count == 32, token.allSatisfy(\.isHexDigit), let booking = try await bookings.booking(token: token), booking.status != .held else {
            return Response(status: .notFound)
        }
        // The link names a person's appointment: it stops working a few days after it (retention.calendar_link_days).
        let linkDays = Int64(runtime.configuration.retention.calendarLinkDays)
        guard runtime.time.nowMillis() < booking.endsAt + linkDays * 86_400_000 else {
            return Response(status: .gone)
        }
        let event = ICalendarEvent.booking(booking, business: agents.set.library.business, now: runtime.time.nowMillis())
        return Response(
            status: .ok,
            headers: [.contentType: "text/calendar; charset=utf-8", .contentDisposition: "attachment; filename=\"agendamento.ics\""],
            body: .init(byteBuffer: ByteBuffer(string: event.document(method: "PUBLISH")))
        )
    }
}
