import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import Foundation
import Hummingbird
import NIOCore

/// The admin API's calendar: a day's bookings, cancelling one, a day's free slots.
struct AdminBookingsController {
    let admin: AdminController
    let receptionist: Receptionist
    let agents: CurrentAgents

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.get("/admin/bookings", use: list)
        router.post("/admin/bookings/:id/cancel", use: cancel)
        router.post("/admin/bookings/:id/status", use: status)
        router.get("/admin/availability", use: availability)
    }

    /// `GET /admin/bookings?day=2026-11-27` (today in the business's zone by default).
    @Sendable func list(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        guard let calendar = agents.set.library.business.calendar else { return Self.noCalendar }
        guard let day = day(request, calendar: calendar) else { return Self.badDay }
        let bookings = try await receptionist.bookings(on: day, calendar: calendar)
        return try Self.json(DayBookings(day: day.description, bookings: bookings.map { BookingView($0, calendar: calendar) }))
    }

    /// `POST /admin/bookings/{id}/cancel`.
    @Sendable func cancel(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        guard let id = Int64(try context.parameters.require("id")) else { return .json(.badRequest, ["error": "the booking id is a number"]) }
        guard let booking = try await receptionist.cancel(bookingID: id, now: admin.runtime.time.nowMillis()) else {
            return .json(.notFound, ["error": "no booking \(id)"])
        }
        return try Self.json(BookingView(booking, calendar: agents.set.library.business.calendar))
    }

    /// `POST /admin/bookings/{id}/status` with `{"status": "completed" | "no_show"}`: what happened at the appointment.
    @Sendable func status(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        guard let id = Int64(try context.parameters.require("id")) else { return .json(.badRequest, ["error": "the booking id is a number"]) }
        let body = try await request.body.collect(upTo: 4096)
        guard let name = JSONValue.parse(body.readableBytesView)?.value(at: "status")?.scalarText, let status = Booking.Status(rawValue: name),
            status == .completed || status == .noShow
        else { return .json(.badRequest, ["error": #"send {"status": "completed" | "no_show"}"#]) }
        guard let booking = try await receptionist.mark(bookingID: id, status, now: admin.runtime.time.nowMillis()) else {
            return .json(.notFound, ["error": "no booking \(id)"])
        }
        return try Self.json(BookingView(booking, calendar: agents.set.library.business.calendar))
    }

    /// `GET /admin/availability?day=2026-11-27&service=corte` (the first service by default).
    @Sendable func availability(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        guard let calendar = agents.set.library.business.calendar else { return Self.noCalendar }
        guard let day = day(request, calendar: calendar) else { return Self.badDay }
        let serviceID = request.uri.queryParameters.get("service")
        guard let service = serviceID.map({ calendar.service(id: $0) }) ?? calendar.services.first else {
            return .json(.badRequest, ["error": "unknown service '\(serviceID ?? "")'; services: \(calendar.services.map(\.id).joined(separator: ", "))"])
        }
        let slots = try await receptionist.freeSlots(on: day, service: service, calendar: calendar, now: admin.runtime.time.nowMillis())
        let zone = calendar.timeZone
        var body: [String: JSONValue] = [
            "day": .string(day.description), "service": .string(service.id),
            "slots": .array(slots.map { .string(ISO8601Text.string(Date(timeIntervalSince1970: Double($0.start) / 1000), in: zone)) }),
        ]
        if let closed = calendar.closure(on: day) { body["closed"] = .string(closed) }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: JSONValue.object(body).encodedString())))
    }

    func day(_ request: Request, calendar: BusinessCalendar) -> CivilDay? {
        guard let text = request.uri.queryParameters.get("day") else {
            return CivilDay(instant: admin.runtime.time.nowMillis(), in: calendar.timeZone)
        }
        return CivilDay(text)
    }

    static let noCalendar = Response.json(.notFound, ["error": "the business profile (prompts/negocio.yaml) has no calendar section"])
    static let badDay = Response.json(.badRequest, ["error": "day must be a date such as 2026-11-27"])

    struct DayBookings: Encodable {
        var day: String
        var bookings: [BookingView]
    }

    static func json(_ value: some Encodable) throws -> Response {
        let data = try BookingView.encoder().encode(value)
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: Array(data))))
    }
}
