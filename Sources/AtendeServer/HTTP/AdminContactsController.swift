import AtendeCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// `GET /admin/contacts/{id}/export` and `POST /admin/contacts/{id}/erase`: a person's LGPD
/// requests, by contact id or phone number, behind the admin token.
struct AdminContactsController {
    let admin: AdminController
    let store: any PersonalDataStore

    func addRoutes(to router: Router<AtendeRequestContext>) {
        router.get("/admin/contacts/:id/export", use: export)
        router.post("/admin/contacts/:id/erase", use: erase)
    }

    @Sendable func export(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        let key = try Self.contactKey(context)
        let ids = try await store.contactIDs(matching: key)
        guard !ids.isEmpty else { return .json(.notFound, ["error": "no contact matches \(key)"]) }
        let document = try await store.exportContacts(ids, now: admin.runtime.time.nowMillis())
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: document.encodedString()))
        )
    }

    @Sendable func erase(_ request: Request, context: AtendeRequestContext) async throws -> Response {
        if let refusal = admin.refusal(request) { return refusal }
        let key = try Self.contactKey(context)
        let ids = try await store.contactIDs(matching: key)
        guard !ids.isEmpty else { return .json(.notFound, ["error": "no contact matches \(key)"]) }
        let configuration = admin.runtime.configuration
        let erased = try await store.eraseContacts(
            ids, syncCalendar: configuration.caldav.url != nil && configuration.caldav.writeBookings, now: admin.runtime.time.nowMillis()
        )
        admin.runtime.logger.notice("contact erased on request", metadata: ["contacts": "\(ids.count)", "messages": "\(erased.messages)"])
        return .json(.ok, [
            "contacts": "\(erased.contacts)", "messages": "\(erased.messages)", "traces": "\(erased.traces)", "outbox": "\(erased.outboxEntries)",
            "bookings_cancelled": "\(erased.bookingsCancelled)", "bookings_anonymized": "\(erased.bookingsAnonymized)",
        ])
    }

    /// The `{id}` segment as written: a phone number arrives percent-encoded (`%2B55%20…`).
    static func contactKey(_ context: AtendeRequestContext) throws -> String {
        let raw = try context.parameters.require("id")
        return raw.removingPercentEncoding ?? raw
    }
}
