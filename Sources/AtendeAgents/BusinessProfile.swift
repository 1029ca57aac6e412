import AtendeCore
import AtendeScheduling
import AtendeUnderstanding
import AtendeYAML
import Foundation

/// `prompts/negocio.yaml`: the business every agent speaks for. Its fields fill the
/// `{{business.…}}` placeholders of the prompt files.
public struct BusinessProfile: Sendable {
    public var name: String
    public var description: String
    public var address: String
    public var hours: String
    public var phone: String
    public var email: String
    public var website: String
    /// IANA name, such as `America/Sao_Paulo`.
    public var timeZone: String
    /// The bookable calendar (`calendar:`); without it the agenda agent only answers questions.
    public var calendar: BusinessCalendar?
    /// A map link shown with the address (`maps_url`).
    public var mapsURL = ""
    /// How customers can pay (`payments`), each in the languages given.
    public var payments: [LocalizedText] = []
    /// The business's own questions and answers (`faq`): each becomes a topic reception answers.
    public var faq: [FAQEntry] = []
    /// The owner and staff (`team`): phone numbers or platform ids. They reach every agent;
    /// everyone else is a customer.
    public var team: [String] = []
    public var file: String

    static let fileName = "negocio.yaml"
    static let keys: Set<String> = ["name", "description", "address", "hours", "phone", "email", "website", "time_zone", "calendar", "maps_url", "payments", "faq", "team"]

    /// The placeholders the profile fills, by name (`business.name`, …).
    public var variables: [String: String] {
        [
            "business.name": name, "business.description": description, "business.address": address, "business.hours": hours,
            "business.phone": phone, "business.email": email, "business.website": website, "business.time_zone": timeZone,
        ]
    }

    static var variableNames: Set<String> {
        Set(keys.subtracting(["calendar"]).map { "business.\($0)" })
    }

    public static func load(file path: String) throws -> BusinessProfile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw FileProblem(file: path, line: nil, message: "cannot read the business profile (\(error.localizedDescription))")
        }
        let top = try YAMLNode.parse(text, file: path).mapping(allowed: keys)
        let timeZoneNode = top["time_zone"]
        let timeZone = try timeZoneNode?.string() ?? "America/Sao_Paulo"
        if let timeZoneNode, TimeZone(identifier: timeZone) == nil {
            throw timeZoneNode.problem("'\(timeZone)' is not an IANA time zone name such as America/Sao_Paulo")
        }
        func field(_ key: String) throws -> String {
            try top.string(key)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        }
        let name = try top.requiredString("name").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw try top.required("name").problem("the business needs a name") }
        var profile = BusinessProfile(
            name: name, description: try field("description"), address: try field("address"), hours: try field("hours"),
            phone: try field("phone"), email: try field("email"), website: try field("website"), timeZone: timeZone,
            calendar: try top["calendar"].map { try BusinessCalendar.parse($0, defaultTimeZone: timeZone) }, file: path
        )
        profile.mapsURL = try field("maps_url")
        if !profile.mapsURL.isEmpty, !(profile.mapsURL.hasPrefix("https://") || profile.mapsURL.hasPrefix("http://")) {
            throw try top.required("maps_url").problem("maps_url must be a link such as https://maps.app.goo.gl/…")
        }
        profile.payments = try (top["payments"]?.sequence() ?? []).map(LocalizedText.parse)
        profile.faq = try (top["faq"]?.sequence() ?? []).map(FAQEntry.parse)
        profile.team = try top["team"]?.strings().map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } ?? []
        return profile
    }

    /// Whether the chat `id` (a phone number in any form, or a platform id) is someone of the team.
    public func isTeam(_ id: String) -> Bool {
        guard !team.isEmpty else { return false }
        let phone = PlatformPhone.e164(id)
        return team.contains { member in member == id || (phone != nil && PlatformPhone.e164(member) == phone) }
    }
}

/// A text an admin writes once (the same in every language) or per language (`{pt: …, en: …}`).
public struct LocalizedText: Sendable, Hashable {
    public var byLanguage: [Language: String]

    public init(_ byLanguage: [Language: String]) {
        self.byLanguage = byLanguage
    }

    /// The text in `language`, else in Portuguese, else any.
    public func text(_ language: Language) -> String {
        byLanguage[language] ?? byLanguage[.pt] ?? byLanguage.values.sorted().first ?? ""
    }

    static func parse(_ node: YAMLNode) throws -> LocalizedText {
        if node.isMapping {
            var texts: [Language: String] = [:]
            for (key, value) in try node.mappingEntries() {
                guard let language = Language(rawValue: key) else { throw value.problem("'\(key)' is not a language; use pt or en") }
                texts[language] = try value.string().trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard texts.values.contains(where: { !$0.isEmpty }) else { throw node.problem("needs a text, such as pt: \"…\"") }
            return LocalizedText(texts)
        }
        let text = try node.string().trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw node.problem("must not be empty") }
        return LocalizedText([.pt: text, .en: text])
    }
}

/// One `faq:` entry of `negocio.yaml`: how customers ask, and the answer.
public struct FAQEntry: Sendable, Hashable {
    /// Ways customers ask it; they teach the router a topic of its own.
    public var questions: [String]
    public var answer: LocalizedText

    static func parse(_ node: YAMLNode) throws -> FAQEntry {
        let entry = try node.mapping(allowed: ["questions", "answer"])
        let questionsNode = try entry.required("questions")
        let questions = try questionsNode.strings().map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.filter { !$0.isEmpty }
        guard !questions.isEmpty else { throw questionsNode.problem("a faq entry needs at least one question, as a customer would write it") }
        return FAQEntry(questions: questions, answer: try LocalizedText.parse(try entry.required("answer")))
    }
}
