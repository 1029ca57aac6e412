import ArgumentParser

@main
struct Atende: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "atende",
        abstract: "A self-hosted chat-bot gateway for WhatsApp, Telegram and Chatwoot.",
        subcommands: [Serve.self, Migrate.self, Check.self, Chat.self, Route.self, Dates.self, Eval.self, Map.self, Deliveries.self, Turns.self, Contacts.self, Bookings.self, BenchUnderstanding.self],
        defaultSubcommand: Serve.self
    )
}

/// Options every command that reads the configuration shares.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .long, help: "The configuration file (default: atende.yaml when it exists).")
    var config: String?
}
