/// Contact details found in a message: e-mail addresses, Brazilian phone numbers and the name
/// the person gives, each with where it is in the text.
public struct ContactDetails: Sendable, Equatable {
    public var emails: [EmailAddress]
    public var phones: [PhoneNumber]
    public var name: StatedName?

    public init(emails: [EmailAddress] = [], phones: [PhoneNumber] = [], name: StatedName? = nil) {
        self.emails = emails
        self.phones = phones
        self.name = name
    }

    /// Everything `text` gives. `defaultAreaCode` (a DDD such as "11") completes numbers written
    /// without one, usually the business's own area.
    public static func extract(from text: String, defaultAreaCode: String? = nil) -> ContactDetails {
        let emails = EmailAddress.all(in: text)
        // Digits inside an e-mail address ("ana1999@…") are not a phone number.
        let phones = PhoneNumber.all(in: text, defaultAreaCode: defaultAreaCode).filter { phone in
            !emails.contains { $0.range.overlaps(phone.range) }
        }
        return ContactDetails(emails: emails, phones: phones, name: StatedName.first(in: text))
    }
}

/// An e-mail address of a plausible shape: local part, "@", a domain with a dot and a TLD of
/// letters. Not proof the mailbox exists, only that it could.
public struct EmailAddress: Sendable, Equatable {
    /// Lowercased.
    public var address: String
    public var range: Range<String.Index>

    public static func all(in text: String) -> [EmailAddress] {
        var found: [EmailAddress] = []
        var searchStart = text.startIndex
        while let at = text[searchStart...].firstIndex(of: "@") {
            defer { searchStart = text.index(after: at) }
            var start = at
            while start > text.startIndex, isLocalCharacter(text[text.index(before: start)]) {
                start = text.index(before: start)
            }
            var end = text.index(after: at)
            while end < text.endIndex, isDomainCharacter(text[end]) {
                end = text.index(after: end)
            }
            // A sentence's full stop or a hyphen is not part of the domain.
            while end > text.index(after: at), let last = text[..<end].last, last == "." || last == "-" {
                end = text.index(before: end)
            }
            // Nor does a leading dot belong to the local part ("...ana@x.com").
            while start < at, text[start] == "." { start = text.index(after: start) }
            let local = text[start..<at]
            let domain = text[text.index(after: at)..<end]
            guard isValidLocal(local), isValidDomain(domain) else { continue }
            found.append(EmailAddress(address: String(text[start..<end]).lowercased(), range: start..<end))
            searchStart = end
        }
        return found
    }

    static func isLocalCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "._%+-".contains(c))
    }

    static func isDomainCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "-")
    }

    static func isValidLocal(_ local: Substring) -> Bool {
        !local.isEmpty && local.count <= 64 && local.last != "." && !local.contains("..")
    }

    static func isValidDomain(_ domain: Substring) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, domain.count <= 253 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.first != "-", label.last != "-" else { return false }
        }
        let topLevel = labels[labels.count - 1]
        return topLevel.count >= 2 && topLevel.allSatisfy(\.isLetter)
    }
}
