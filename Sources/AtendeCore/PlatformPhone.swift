/// The phone number in a platform's id, in one canonical form, so the same person is one contact
/// however a platform writes it: `5511988887777@s.whatsapp.net`, `+55 11 98888-7777`.
/// (Phone numbers typed inside messages are found by `AtendeUnderstanding.PhoneNumber`.)
public enum PlatformPhone {
    /// `+` and the E.164 digits, or `nil` when `raw` is not a phone number (a WhatsApp `@lid`,
    /// a group id, too few or too many digits).
    ///
    /// Brazilian mobile numbers written without the ninth digit (`55 11 8888-7777`, as older
    /// WhatsApp ids are) get it back: every Brazilian mobile has had it since 2016.
    public static func e164(_ raw: String, defaultCountry: String = "55") -> String? {
        if raw.hasSuffix("@lid") || raw.hasSuffix("@g.us") || raw.hasSuffix("@newsletter") || raw.hasSuffix("@broadcast") {
            return nil
        }
        let local = raw.split(separator: "@").first.map(String.init) ?? raw
        // WhatsApp ids (`…@s.whatsapp.net`, `…@c.us`) always carry the country code.
        let international = raw.contains("@") || local.trimmingPrefix(while: { $0 == " " }).hasPrefix("+")
        var digits = local.filter(\.isASCIIDigitCharacter)
        if !international {
            if digits.hasPrefix("0"), digits.count >= 11 { digits = String(digits.drop(while: { $0 == "0" })) }
            // A Brazilian number with its DDD but no country code: a landline or old mobile of 10
            // digits, or a mobile of 11 whose third digit is the 9. Other 11-digit strings are
            // international numbers already (a US wa_id such as 16505551234).
            let digitList = Array(digits)
            if defaultCountry == "55", digits.count == 10 || (digits.count == 11 && digitList[2] == "9") {
                digits = "55" + digits
            }
        }
        if digits.hasPrefix("55"), digits.count == 12 {
            let subscriber = digits.dropFirst(4)
            if let first = subscriber.first, "6789".contains(first) {
                digits = String(digits.prefix(4)) + "9" + subscriber
            }
        }
        guard (8...15).contains(digits.count), !digits.hasPrefix("0") else { return nil }
        if digits.hasPrefix("55"), digits.count != 12, digits.count != 13 { return nil }
        return "+" + digits
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension String {
    fileprivate func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring {
        self[...].drop(while: predicate)
    }
}
