import AtendeCore
import AtendeScheduling
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
    public var file: String

    static let fileName = "negocio.yaml"
    static let keys: Set<String> = ["name", "description", "address", "hours", "phone", "email", "website", "time_zone", "calendar"]

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
        return BusinessProfile(
            name: name, description: try field("description"), address: try field("address"), hours: try field("hours"),
            phone: try field("phone"), email: try field("email"), website: try field("website"), timeZone: timeZone,
            calendar: try top["calendar"].map { try BusinessCalendar.parse($0, defaultTimeZone: timeZone) }, file: path
        )
    }
}
