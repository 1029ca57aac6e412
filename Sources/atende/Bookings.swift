import AtendeAgents
import AtendeCore
import AtendeScheduling
import AtendeServer
import ArgumentParser
import Foundation
import Logging

struct Bookings: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "See and change the calendar: a day's bookings, cancelling one, a day's free slots.",
        subcommands: [List.self, Cancel.self, Mark.self, Availability.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the bookings of a day (every status).")

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "The day, such as 2026-11-27 (today in the business's time zone by default).")
        var day: String?

        @Flag(help: "Print JSON, as the admin API does.")
        var json = false

        func run() async throws {
            try await withCalendar(options) { gateway, calendar in
                let day = try parseDay(day, calendar: calendar)
                let views = try await gateway.runCommand { try await gateway.receptionist.bookings(on: day, calendar: calendar) }
                    .map { BookingView($0, calendar: calendar) }
                if json {
                    print(String(decoding: try BookingView.encoder().encode(views), as: UTF8.self))
                } else if views.isEmpty {
                    print("no bookings on \(day)")
                } else {
                    views.forEach { print($0.line) }
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a booking (the contact is not messaged; the CalDAV calendar is updated).")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The booking id, from `atende bookings list`.")
        var id: Int64

        func run() async throws {
            try await withCalendar(options) { gateway, calendar in
                let booking = try await gateway.runCommand { [id] in try await gateway.receptionist.cancel(bookingID: id, now: SystemTime().nowMillis()) }
                guard let booking else { throw CommandFailure(message: "no booking with id \(id)") }
                print(BookingView(booking, calendar: calendar).line)
            }
        }
    }

    struct Mark: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record what happened at an appointment: completed or no_show.")

        @OptionGroup var options: ConfigurationOptions

        @Argument(help: "The booking id, from `atende bookings list`.")
        var id: Int64

        @Argument(help: "completed or no_show.")
        var status: String

        func run() async throws {
            guard let status = Booking.Status(rawValue: status), status == .completed || status == .noShow else {
                throw ValidationError("the status is completed or no_show")
            }
            try await withCalendar(options) { gateway, calendar in
                let booking = try await gateway.runCommand { [id] in try await gateway.receptionist.mark(bookingID: id, status, now: SystemTime().nowMillis()) }
                guard let booking else { throw CommandFailure(message: "no booking with id \(id)") }
                print(BookingView(booking, calendar: calendar).line)
            }
        }
    }

    struct Availability: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a day's free slots for a service, as a customer would be offered them now.")

        @OptionGroup var options: ConfigurationOptions

        @Option(help: "The day, such as 2026-11-27 (today by default).")
        var day: String?

        @Option(help: "The service id from prompts/negocio.yaml (the first service by default).")
        var service: String?

        func run() async throws {
            try await withCalendar(options) { gateway, calendar in
                let day = try parseDay(day, calendar: calendar)
                guard let chosen = service.map({ calendar.service(id: $0) }) ?? calendar.services.first else {
                    throw CommandFailure(message: "unknown service '\(service ?? "")'; services: \(calendar.services.map(\.id).joined(separator: ", "))")
                }
                if let closed = calendar.closure(on: day) { print("\(day): closed (\(closed))") }
                let slots = try await gateway.runCommand {
                    try await gateway.receptionist.freeSlots(on: day, service: chosen, calendar: calendar, now: SystemTime().nowMillis())
                }
                var wall = Calendar(identifier: .gregorian)
                wall.timeZone = calendar.timeZone
                let times = slots.map { slot -> String in
                    let parts = wall.dateComponents([.hour, .minute], from: Date(timeIntervalSince1970: Double(slot.start) / 1000))
                    return String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
                }
                print(times.isEmpty ? "\(day): no free slots for \(chosen.name)" : "\(day) \(chosen.name): " + times.joined(separator: " "))
            }
        }
    }
}

/// Builds the gateway (no server, no workers) and hands over the business calendar.
private func withCalendar(_ options: ConfigurationOptions, _ body: (Gateway, BusinessCalendar) async throws -> Void) async throws {
    var configuration = try options.load()
    configuration.runWorkers = false
    let logger = Logging.bootstrap(configuration)
    let gateway = try await Gateway.buildForCommand(configuration: configuration, logger: logger)
    guard let calendar = gateway.agents.set.library.business.calendar else {
        _ = try? await gateway.runCommand {}
        throw CommandFailure(message: "\(configuration.promptsDirectory)/negocio.yaml has no calendar section: add one to take bookings (see prompts/README.md)")
    }
    try await body(gateway, calendar)
}

private func parseDay(_ text: String?, calendar: BusinessCalendar) throws -> CivilDay {
    guard let text else { return CivilDay(instant: SystemTime().nowMillis(), in: calendar.timeZone) }
    guard let day = CivilDay(text) else { throw ValidationError("--day must be a date such as 2026-11-27") }
    return day
}
