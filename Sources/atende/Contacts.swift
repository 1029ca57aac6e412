import AtendeCore
import AtendeServer
import AtendeStorage
import ArgumentParser
import Foundation
import Logging

/// A person's requests under the LGPD: a copy of their data, or its erasure.
struct Contacts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Export or erase everything stored about a person (LGPD).",
        subcommands: [Export.self, Erase.self]
    )

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print every row about a contact (contact, conversations, messages, traces, memory, bookings, jobs, outbox) as one JSON document."
        )

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "A contact id, a phone number (any common form) or a platform id.")
        var contact: String

        func run() async throws {
            let document = try await Contacts.withContacts(contact, options: options) { store, ids, _ in
                try await store.exportContacts(ids, now: SystemTime().nowMillis())
            }
            print(document.encodedString())
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a contact's messages, traces, memory and outbox entries; cancel their future bookings and anonymize past ones."
        )

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "A contact id, a phone number (any common form) or a platform id.")
        var contact: String

        func run() async throws {
            let (ids, erased) = try await Contacts.withContacts(contact, options: options) { store, ids, configuration in
                let syncCalendar = configuration.caldav.url != nil && configuration.caldav.writeBookings
                return (ids, try await store.eraseContacts(ids, syncCalendar: syncCalendar, now: SystemTime().nowMillis()))
            }
            print(
                "erased contact \(ids.map(String.init).joined(separator: ", ")): \(erased.messages) messages, \(erased.traces) traces, "
                    + "\(erased.outboxEntries) outbox entries; \(erased.bookingsCancelled) future bookings cancelled, \(erased.bookingsAnonymized) past bookings anonymized"
            )
        }
    }

    /// Runs `body` with the store and the contacts `key` names; fails when it names none.
    static func withContacts<Result: Sendable>(
        _ key: String, options: ConfigurationOptions,
        _ body: @escaping @Sendable (SQLGatewayStore, [Int64], GatewayConfiguration) async throws -> Result
    ) async throws -> Result {
        let configuration = try options.load()
        let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
        return try await opened.withRunning { store in
            try await store.migrate()
            let ids = try await store.contactIDs(matching: key)
            guard !ids.isEmpty else { throw CommandFailure(message: "no contact matches \(key)") }
            return try await body(store, ids, configuration)
        }
    }
}
