/// A Brazilian phone number found in a message, however it was written: "+55 (11) 98765-4321",
/// "11987654321", "(21) 3344.5566", "9876-5432", "011 8765 4321" (old mobile without the 9th digit).
public struct PhoneNumber: Sendable, Equatable {
    /// "+5511987654321"; nil when the number has no area code (DDD) and none was given.
    public var e164: String?
    /// Country calling code without "+": "55" for every national number.
    public var countryCode: String
    /// The DDD ("11"), if written or given as default.
    public var areaCode: String?
    /// The number after the DDD, with the 9th digit restored for mobiles written without it.
    public var subscriber: String
    public var isMobile: Bool
    /// Where it is in the message.
    public var range: Range<String.Index>

    /// Every DDD in use in Brazil.
    static let areaCodes: Set<String> = [
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "22", "24", "27", "28", "31", "32", "33", "34", "35", "37", "38",
        "41", "42", "43", "44", "45", "46", "47", "48", "49", "51", "53", "54", "55", "61", "62", "63", "64", "65", "66", "67", "68", "69",
        "71", "73", "74", "75", "77", "79", "81", "82", "83", "84", "85", "86", "87", "88", "89", "91", "92", "93", "94", "95", "96", "97",
        "98", "99",
    ]

    /// Words that, just before a number, say it is something else: an order, a document, an account.
    static let otherNumberWords: Set<String> = [
        "pedido", "pedidos", "order", "protocolo", "protocol", "cpf", "cnpj", "rg", "nf", "nfe", "nota", "boleto", "codigo", "cod", "code",
        "conta", "agencia", "ag", "cc", "cep", "zip", "matricula", "cartao", "card", "ticket", "chamado", "rastreio", "tracking", "invoice",
        "fatura", "senha", "id", "nr", "ref", "referencia",
    ]

    /// Every phone number in `text`, in order. Numbers without a DDD get `defaultAreaCode` in
    /// their E.164 form when it is given.
    public static func all(in text: String, defaultAreaCode: String? = nil) -> [PhoneNumber] {
        let characters = Array(text)
        var indices = Array(text.indices)
        indices.append(text.endIndex)
        var found: [PhoneNumber] = []
        var i = 0
        while i < characters.count {
            guard startsCandidate(characters, at: i) else {
                i += 1
                continue
            }
            let end = candidateEnd(characters, from: i)
            defer { i = max(end, i + 1) }
            guard !isOtherNumber(characters, start: i, end: end) else { continue }
            let span = characters[i..<end]
            guard let phone = parse(span, defaultAreaCode: defaultAreaCode, range: indices[i]..<indices[end]) else { continue }
            found.append(phone)
        }
        return found
    }

    static func isDigit(_ c: Character) -> Bool { c.isASCII && c.isNumber }

    /// A number starts at a digit, "+" or "(" followed by a digit, not glued to a word or number.
    static func startsCandidate(_ characters: [Character], at i: Int) -> Bool {
        let c = characters[i]
        let next = i + 1 < characters.count ? characters[i + 1] : " "
        guard isDigit(c) || ((c == "+" || c == "(") && isDigit(next)) else { return false }
        guard i > 0 else { return true }
        // "0xx11 …": the old long-distance prefix with the carrier left blank.
        if i >= 3, String(characters[(i - 3)..<i]).lowercased() == "0xx" { return true }
        let previous = characters[i - 1]
        return !(previous.isLetter || previous.isNumber || "$/.,-+_@#º°".contains(previous))
    }

    /// The end of the run of digits and phone separators (space, ".", "-", "(", ")") from `start`,
    /// trimmed back to its last digit.
    static func candidateEnd(_ characters: [Character], from start: Int) -> Int {
        var j = start
        var separatorRun = 0
        var lastDigitEnd = start
        while j < characters.count {
            let c = characters[j]
            if isDigit(c) {
                separatorRun = 0
                lastDigitEnd = j + 1
            } else if c == " " || c == "." || c == "-" || c == "(" || c == ")" || (c == "+" && j == start) {
                separatorRun += 1
                if separatorRun > 3 { break }
            } else {
                break
            }
            j += 1
        }
        return lastDigitEnd
    }

    /// Prices, dates, times, percentages, documents and order numbers written like a phone.
    static func isOtherNumber(_ characters: [Character], start: Int, end: Int) -> Bool {
        // Right after: "/" or ":" (dates, times), "," + digit (decimals), "%" , a letter glued on ("15h", "2x").
        if end < characters.count {
            let next = characters[end]
            if next == "/" || next == ":" || next == "%" || next.isLetter || next == "," && end + 1 < characters.count && isDigit(characters[end + 1]) {
                return true
            }
        }
        // Just before, skipping spaces: a currency sign.
        var k = start - 1
        while k >= 0, characters[k] == " " { k -= 1 }
        if k >= 0, characters[k] == "$" || characters[k] == "º" || characters[k] == "°" || characters[k] == "#" { return true }
        // The word before (or the one before it) names another kind of number.
        let before = String(characters[max(0, start - 40)..<start])
        let words = TextNormalizer.words(before).suffix(2)
        if words.contains(where: otherNumberWords.contains) { return true }
        // Shapes of other numbers: CPF 123.456.789-09, CEP 01310-100, dates 25.11.2024 / 2024-11-25.
        let groups = characters[start..<end].split { !isDigit($0) }.map(\.count)
        let separators = Set(characters[start..<end].filter { !isDigit($0) && $0 != " " })
        if groups == [3, 3, 3, 2] || groups == [5, 3] || groups == [2, 3, 3, 4, 2] { return true }
        if !separators.contains("(") && (groups == [2, 2, 4] || groups == [4, 2, 2] || groups == [2, 2, 2]) { return true }
        return false
    }

    static func parse(_ span: ArraySlice<Character>, defaultAreaCode: String?, range: Range<String.Index>) -> PhoneNumber? {
        var digits = String(span.filter(isDigit))
        let international = span.first == "+"
        guard digits.count >= 8, digits.count <= 15, Set(digits).count > 1 else { return nil }
        if international {
            guard digits.hasPrefix("55") else {
                // Another country: keep it as written, no national rules apply.
                guard digits.count >= 10 else { return nil }
                return PhoneNumber(e164: "+" + digits, countryCode: "", areaCode: nil, subscriber: digits, isMobile: false, range: range)
            }
            digits.removeFirst(2)
        } else if digits.hasPrefix("0") {
            // Trunk prefix "0" ("011 …"), possibly with a two-digit carrier code ("0 21 11 …").
            digits.removeFirst()
            if digits.count == 12 || digits.count == 13 { digits.removeFirst(2) }
        } else if digits.count == 12 || digits.count == 13, digits.hasPrefix("55"), areaCodes.contains(String(digits.dropFirst(2).prefix(2))) {
            digits.removeFirst(2)
        }
        var areaCode: String?
        var subscriber = digits
        if digits.count == 10 || digits.count == 11 {
            areaCode = String(digits.prefix(2))
            subscriber = String(digits.dropFirst(2))
            guard areaCodes.contains(areaCode!) else { return nil }
        } else if digits.count != 8 && digits.count != 9 {
            return nil
        }
        guard let first = subscriber.first else { return nil }
        let isMobile: Bool
        switch (subscriber.count, first) {
        case (9, "9"):
            isMobile = true
        case (8, "2"), (8, "3"), (8, "4"), (8, "5"):
            isMobile = false
        case (8, "6"), (8, "7"), (8, "8"), (8, "9"):
            // A mobile written before the 9th digit (2012–2016); every mobile has it now.
            isMobile = true
            subscriber = "9" + subscriber
        default:
            return nil
        }
        if areaCode == nil, let defaultAreaCode, areaCodes.contains(defaultAreaCode) { areaCode = defaultAreaCode }
        let e164 = areaCode.map { "+55" + $0 + subscriber }
        return PhoneNumber(e164: e164, countryCode: "55", areaCode: areaCode, subscriber: subscriber, isMobile: isMobile, range: range)
    }
}
