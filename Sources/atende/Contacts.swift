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
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let document = try await opened.withRunning { [contact] store in
                let ids = try await store.contactIDs(matching: contact)
                guard !ids.isEmpty else { throw CommandFailure(message: "no contact matches \(contact)") }
                return try await store.exportContacts(ids, now: SystemTime().nowMillis())
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
            let configuration = try options.load()
            let opened = try await OpenedStore.open(url: configuration.databaseURL, logger: .init(label: "atende"))
            let syncCalendar = configuration.caldav.url != nil && configuration.caldav.writeBookings
            let (ids, erased) = try await opened.withRunning { [contact] store in
                let ids = try await store.contactIDs(matching: contact)
                guard !ids.isEmpty else { throw CommandFailure(message: "no contact matches \(contact)") }
                return (ids, try await store.eraseContacts(ids, syncCalendar: syncCalendar, now: SystemTime().nowMillis()))
            }
            print(
                "erased contact \(ids.map(String.init).joined(separator: ", ")): \(erased.messages) messages, \(erased.traces) traces, "
                    + "\(erased.outboxEntries) outbox entries; \(erased.bookingsCancelled) future bookings cancelled, \(erased.bookingsAnonymized) past bookings anonymized"
            )
        }
    }
}
