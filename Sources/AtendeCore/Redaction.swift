import Foundation

/// Keeps identifiers useful in logs without writing whole phone numbers or chat ids.
public enum Redaction {
    /// `5511999998888` becomes `…8888`; short ids are masked entirely.
    public static func identifier(_ value: String) -> String {
        guard value.count > 4 else { return "…" }
        return "…" + value.suffix(4)
    }

    /// A platform's error text made fit for a log line or a stored error: each of `personal` (the
    /// message text sent, which platforms echo back) replaced by `<texto>`, as written and as it
    /// reads inside JSON, then every run of 8 or more digits (a phone number, a chat or user id)
    /// cut to its last 4. Error codes (Meta's 131047, HTTP statuses) are shorter and stay.
    /// Redact before cutting a text short: a cut echo no longer matches.
    public static func platformText(_ text: String, removing personal: [String] = []) -> String {
        var redacted = text
        for value in personal where value.count >= 2 {
            redacted = redacted.replacingOccurrences(of: value, with: "<texto>")
            let escaped = JSONValue.string(value).encodedString().dropFirst().dropLast()
            if escaped != Substring(value) { redacted = redacted.replacingOccurrences(of: String(escaped), with: "<texto>") }
        }
        return maskingDigitRuns(redacted)
    }

    /// Runs of 8 or more ASCII digits become `…` and their last 4.
    public static func maskingDigitRuns(_ text: String) -> String {
        var output = ""
        var run = ""
        func flush() {
            output += run.count >= 8 ? "…" + run.suffix(4) : run
            run = ""
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else {
                flush()
                output.append(character)
            }
        }
        flush()
        return output
    }
}
