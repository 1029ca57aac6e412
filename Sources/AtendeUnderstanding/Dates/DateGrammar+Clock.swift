/// Times of day and parts of the day.
extension DateGrammar {
    /// A time of day: "15h", "15:30", "3pm", "às 10 e meia", "meio-dia", "quinze para as 3",
    /// "half past 3". A bare number is a time only with a cue: a prefix ("às 3", "at 7"), am/pm,
    /// minutes ("5 e quinze"), "horas", a part of the day ("8 da noite") or a day ("9 tomorrow").
    func parseClock(_ i: Int, cued: Bool = false) -> (Clock, Int)? {
        guard i < tokens.count else { return nil }
        if cued { return computeClock(i, cued: true) }
        if let cached = memo.slots[i].clock { return cached }
        let result = computeClock(i, cued: false)
        memo.slots[i].clock = .some(result)
        return result
    }

    private func computeClock(_ i: Int, cued: Bool) -> (Clock, Int)? {
        var j = i
        var prefixed = cued
        if language == .pt {
            if let k = match(j, .por, .volta) { j = skip(k, [.das, .da, .de, .do]); prefixed = true }
            else if let k = match(j, .la, .pelas) ?? match(j, .la, .pela) { j = k; prefixed = true }
            if isWord(j, .as) || isWord(j, .pelas) { j += 1; prefixed = true }
            // "ao meio-dia", "à meia-noite": the article before a named time.
            else if isWord(j, in: [.ao, .a]), namedClock(j + 1) != nil { j += 1; prefixed = true }
        } else {
            j = skip(j, [.around, .about, .approximately, .approx])
            if isWord(j, .at) || isSymbol(j, "@") { j += 1; prefixed = true }
            else if isWord(j, .for), duration(j + 1) == nil { j += 1; prefixed = true }
            j = skip(j, [.around, .about, .approximately, .approx])
        }
        guard var (clock, k, hasCue) = clockCore(j, prefixed: prefixed) else { return nil }
        // Suffixes: am/pm, "ish", "o'clock", "em ponto", "horas".
        if let (meridiem, next) = meridiemSuffix(k, strong: prefixed || clock.grain != .hour) {
            if clock.hour <= 12 { clock.apply(meridiem) }
            k = next
            hasCue = true
        }
        if glued(k), isWord(k, .ish) { k += 1 }
        if language == .en {
            if isWord(k, .oclock) { k += 1; hasCue = true }
            else if isWord(k, .o), isSymbol(k + 1, "'"), isWord(k + 2, .clock) { k += 3; hasCue = true }
            if let (meridiem, next) = meridiemSuffix(k, strong: prefixed || clock.grain != .hour) {
                if clock.hour <= 12 { clock.apply(meridiem) }
                k = next
                hasCue = true
            }
            if isWord(k, .approximately) || (isWord(k, .sharp)) { k += 1 }
        } else if let next = match(k, .em, .ponto) {
            k = next
            hasCue = true
        }
        if !hasCue && !cued {
            // A following part of the day or day word makes a bare number a time ("8 da noite",
            // "9 tomorrow").
            guard parsePeriod(k) != nil || isDayWord(k) else { return nil }
        }
        return (clock, k)
    }

    private func isDayWord(_ i: Int) -> Bool {
        isWord(i, in: [.tomorrow, .today, .tonight, .tonite, .amanha, .hoje, .this])
    }

    /// am/pm written after a time: "pm", "p.m.", "p m", "in the PM"; a lone "a"/"p" only when
    /// `strong` (after "at" or minutes), since "4a" alone is no time.
    func meridiemSuffix(_ i: Int, strong: Bool) -> (Meridiem, Int)? {
        guard let text = word(i) else { return nil }
        switch text {
        case .am: return (.am, isSymbol(i + 1, ".") ? i + 2 : i + 1)
        case .pm: return (.pm, isSymbol(i + 1, ".") ? i + 2 : i + 1)
        case .a, .p:
            let meridiem: Meridiem = text == .a ? .am : .pm
            if isSymbol(i + 1, "."), isWord(i + 2, .m) { return (meridiem, isSymbol(i + 3, ".") ? i + 4 : i + 3) }
            if isWord(i + 1, .m) { return (meridiem, i + 2) }
            guard language == .en, strong, word(i + 1) == nil || !glued(i + 1) else { return nil }
            return (meridiem, isSymbol(i + 1, ".") ? i + 2 : i + 1)
        case .in:
            if isWord(i + 1, .the), let m = word(i + 2), m == .am || m == .pm { return (m == .am ? .am : .pm, i + 3) }
            return nil
        default: return nil
        }
    }

    /// The time itself, without prefix and am/pm; also says whether it carries its own cue.
    private func clockCore(_ i: Int, prefixed: Bool) -> (Clock, Int, Bool)? {
        if let (clock, next) = namedClock(i) { return withMinutes(clock, next, cue: true) }
        if let result = minutesBefore(i) ?? minutesPast(i) { return (result.0, result.1, true) }
        if let hour = number(i) {
            let count = digits(i)
            // 15:30, 15:30:20
            if isSymbol(i + 1, ":"), glued(i + 1), glued(i + 2), let minute = number(i + 2), digits(i + 2) == 2, hour <= 24, minute < 60 {
                var clock = Clock(hour: hour, minute: minute, grain: .minute, ambiguous: (1...12).contains(hour))
                var next = i + 3
                if isSymbol(next, ":"), glued(next + 1), let second = number(next + 1), digits(next + 1) == 2, second < 60 {
                    clock.second = second
                    clock.grain = .second
                    next += 2
                }
                return (clock, next, true)
            }
            // 15.30 (not 1.3.2013 nor 650.650.6500)
            if isSymbol(i + 1, "."), glued(i + 1), glued(i + 2), let minute = number(i + 2), digits(i + 2) == 2, count <= 2, hour <= 24, minute < 60,
               !(isSymbol(i + 3, ".") && number(i + 4) != nil), !isSymbol(i + 3, ",") {
                return (Clock(hour: hour, minute: minute, grain: .minute, ambiguous: (1...12).contains(hour)), i + 3, true)
            }
            // 15h, 15h30, 15hs, 3h18
            if glued(i + 1), let h = word(i + 1), h == .h || h == .hs || h == .hrs, count <= 2, hour <= 24 {
                if glued(i + 2), let minute = number(i + 2), digits(i + 2) == 2, minute < 60 {
                    return (Clock(hour: hour, minute: minute, grain: .minute), i + 3, true)
                }
                return (Clock(hour: hour, grain: language == .en ? .minute : .hour), i + 2, true)
            }
            // 1030, 330 p.m., 815 (only after "at"/"tonight" or with am/pm: otherwise an amount)
            if count == 3 || count == 4 {
                let h = hour / 100, minute = hour % 100
                guard h <= 24, minute < 60, !isSymbol(i + 1, "."), !isSymbol(i + 1, "-") || number(i + 2) == nil else { return nil }
                let cued = prefixed || (i > 0 && isWord(i - 1, in: [.tonight, .tonite, .approximately, .around, .about]))
                let clock = Clock(hour: h, minute: minute, grain: .minute, ambiguous: (1...12).contains(h))
                if cued { return (clock, i + 1, true) }
                if meridiemSuffix(i + 1, strong: true) != nil || (glued(i + 1) && isWord(i + 1, .ish)) { return (clock, i + 1, true) }
                return nil
            }
            guard count <= 2, hour <= 24 else { return nil }
            if (isSymbol(i + 1, ",") || isSymbol(i + 1, ".")) && glued(i + 1) && number(i + 2) != nil { return nil }
            return hourWithTail(Clock(hour: hour, ambiguous: (1...12).contains(hour)), i + 1, prefixed: prefixed, spoken: false)
        }
        if word(i) != nil, let hour = lexeme(i).cardinal ?? lexeme(i).tens, hour <= 24, language == .en || hour > 0 {
            guard let (value, next) = cardinal(i), value <= 24 else { return nil }
            return hourWithTail(Clock(hour: value, ambiguous: (1...12).contains(value)), next, prefixed: prefixed, spoken: true)
        }
        return nil
    }

    /// After an hour: "horas", Portuguese "e quinze"/"e meia", English spoken minutes ("three
    /// twenty", "twelve oh three", "at 3 15").
    private func hourWithTail(_ clock: Clock, _ i: Int, prefixed: Bool, spoken: Bool) -> (Clock, Int, Bool)? {
        var clock = clock
        var j = i
        var cue = prefixed
        if isWord(j, in: [.horas, .hora, .hs, .hrs, .h]) && language == .pt || (language == .pt && isWord(j, .h)) {
            j += 1
            cue = true
        }
        if language == .pt {
            if let (withMinutes, next, _) = withMinutes(clock, j, cue: cue), next > j { return (withMinutes, next, true) }
            return (clock, j, cue)
        }
        // English spoken minutes.
        if spoken || prefixed {
            if isWord(j, in: [.oh, .o, .zero, .ou]) || (isSymbol(j, "-") && isWord(j + 1, in: [.oh, .o, .zero])) {
                let k = isSymbol(j, "-") ? j + 2 : j + 1
                var m = k
                if isSymbol(m, "-") { m += 1 }
                if let (minute, next) = cardinal(m), (1...9).contains(minute) {
                    clock.minute = minute
                    clock.grain = .minute
                    return (clock, next, cue)
                }
            }
            var m = j
            if isSymbol(m, "-"), spoken { m += 1 }
            if let (minute, next) = cardinal(m), (10...59).contains(minute), number(m) == nil || digits(m) == 2 {
                clock.minute = minute
                clock.grain = .minute
                return (clock, next, cue)
            }
        }
        return (clock, j, cue)
    }

    /// Portuguese minutes after the hour: "e quinze", "e meia", "e 40", "e quarenta e cinco".
    private func withMinutes(_ clock: Clock, _ i: Int, cue: Bool) -> (Clock, Int, Bool)? {
        guard language == .pt, isWord(i, .e) else { return (clock, i, cue) }
        var clock = clock
        if isWord(i + 1, .meia) {
            clock.minute = 30
        } else if let (minute, next) = cardinal(i + 1), (1...59).contains(minute) {
            // "e 2 dias" is no time: the minutes must not be followed by another unit.
            var end = next
            if isWord(end, in: [.minutos, .minuto, .min]) { end += 1 } else if let unit = unit(end), unit != .minute { return (clock, i, cue) }
            clock.minute = minute
            clock.grain = .minute
            return (clock, end, true)
        } else {
            return (clock, i, cue)
        }
        clock.grain = .minute
        return (clock, i + 2, true)
    }

    /// Noon and midnight in words.
    private func namedClock(_ i: Int) -> (Clock, Int)? {
        guard let text = word(i) else { return nil }
        switch text {
        case .meiodia, .noon, .midday: return (Clock(hour: 12), i + 1)
        case .meianoite, .midnight: return (Clock(hour: 0), i + 1)
        case .meio:
            var j = i + 1
            if isSymbol(j, "-") { j += 1 }
            if isWord(j, .dia) { return (Clock(hour: 12), j + 1) }
        case .meia:
            var j = i + 1
            if isSymbol(j, "-") { j += 1 }
            if isWord(j, .noite) { return (Clock(hour: 0), j + 1) }
        case .mid:
            if isWord(i + 1, .day) { return (Clock(hour: 12), i + 2) }
        case .the:
            if isWord(i + 1, .midday) { return (Clock(hour: 12), i + 2) }
        default: break
        }
        return nil
    }

    /// "quinze para o meio-dia", "dez para as 3", "a quarter to noon", "20 minutes to 2pm".
    private func minutesBefore(_ i: Int) -> (Clock, Int)? {
        var j = i
        var minutes: Int
        if language == .en, let k = match(j, .a, .quarter) ?? match(j, .quarter) {
            minutes = 15
            j = k
        } else if let (value, k) = cardinal(j), (1...59).contains(value) {
            minutes = value
            j = k
            if isWord(j, in: [.minutes, .minute, .mins, .min, .minutos, .minuto]) {
                j += 1
            } else if language == .en, value % 5 != 0 || value < 5 {
                // "3 to 4" is a range of hours, "10 to 4" a time.
                return nil
            }
        } else {
            return nil
        }
        if language == .pt {
            guard isWord(j, .para) || isWord(j, .pras) || isWord(j, .pra) else { return nil }
            j = skip(j + 1, [.o, .a, .as, .os])
        } else {
            guard isWord(j, in: [.to, .till, .before, .of]) else { return nil }
            j += 1
        }
        guard let (target, next) = parseClockForRelativeMinutes(j) else { return nil }
        minutes = target.hour * 60 + target.minute - minutes
        if minutes < 0 { minutes += 24 * 60 }
        var clock = target
        clock.hour = minutes / 60
        clock.minute = minutes % 60
        clock.grain = .minute
        return (clock, next)
    }

    /// "half past 3 pm", "a quarter past noon", "20 past 3pm", "twenty after 3pm",
    /// "15 minutes past 15h", "half three".
    private func minutesPast(_ i: Int) -> (Clock, Int)? {
        guard language == .en else { return nil }
        var j = i
        var minutes: Int
        if let k = match(j, .a, .quarter) ?? match(j, .quarter) {
            minutes = 15
            j = k
        } else if isWord(j, .half) {
            minutes = 30
            j += 1
            if !isWord(j, .past), let (target, next) = parseClockForRelativeMinutes(j), target.minute == 0 {
                var clock = target
                clock.minute = 30
                clock.grain = .minute
                return (clock, next)
            }
        } else if let (value, k) = cardinal(j), (1...59).contains(value) {
            minutes = value
            j = k
            if isWord(j, in: [.minutes, .minute, .mins, .min]) { j += 1 }
        } else {
            return nil
        }
        guard isWord(j, .past) || isWord(j, .after) || isWord(j, .from) else { return nil }
        guard let (target, next) = parseClockForRelativeMinutes(j + 1) else { return nil }
        var clock = target
        clock.minute += minutes
        clock.grain = .minute
        return (clock, next)
    }

    /// The hour that "quinze para …" or "half past …" counts from: any time, or a bare hour.
    private func parseClockForRelativeMinutes(_ i: Int) -> (Clock, Int)? {
        if let (clock, next) = namedClock(i) { return (clock, next) }
        var hour: Int
        var j: Int
        if let value = number(i), digits(i) <= 2, value <= 24 {
            hour = value
            j = i + 1
        } else if let (value, next) = cardinal(i), value <= 24, word(i) != nil {
            hour = value
            j = next
        } else {
            return nil
        }
        var clock = Clock(hour: hour, ambiguous: (1...12).contains(hour))
        if glued(j), isWord(j, .h) { j += 1; clock.ambiguous = false }
        if let (meridiem, next) = meridiemSuffix(j, strong: true) {
            clock.apply(meridiem)
            j = next
        }
        if language == .pt, isWord(j, in: [.horas, .hora]) { j += 1 }
        return (clock, j)
    }

    // MARK: Parts of the day

    /// "de manhã", "à tarde", "da noite", "depois do almoço", "tonight", "in the morning",
    /// "last night". `bare` is true when only the noun was written ("morning"), which counts only
    /// next to a day or a time ("monday morning").
    func parsePeriod(_ i: Int) -> (DayPeriod, Int, bare: Bool, dayShift: Int?)? {
        if language == .pt { return portuguesePeriod(i) }
        return englishPeriod(i)
    }

    private func portuguesePeriod(_ i: Int) -> (DayPeriod, Int, bare: Bool, dayShift: Int?)? {
        var j = i
        // "amanhã cedo", "sexta bem cedinho": early morning, only next to a day.
        if let k = match(j, .bem, .cedo) ?? match(j, .bem, .cedinho) ?? match(j, .cedo) ?? match(j, .cedinho) {
            return (DayPeriod(start: 6, end: 10, meridiem: .am), k, true, nil)
        }
        if let k = match(j, .depois, .do, .almoco) ?? match(j, .apos, .o, .almoco) ?? match(j, .apos, .almoco) ?? match(j, .depois, .de, .almoco) {
            return (DayPeriod(start: 13, end: 17, meridiem: .pm), k, false, nil)
        }
        if let k = match(j, .na, .hora, .do, .almoco) ?? match(j, .hora, .do, .almoco) ?? match(j, .no, .almoco) ?? match(j, .na, .hora, .de, .almoco) {
            return (DayPeriod(start: 12, end: 14, meridiem: .pm), k, false, nil)
        }
        let prepositions: [DateWord] = [.de, .da, .pela, .na, .a, .nesta, .nessa, .esta, .essa, .durante, .no, .periodo, .parte, .pelo, .do]
        guard isWord(j, in: prepositions) else { return nil }
        while isWord(j, in: prepositions) { j += 1 }
        // "no fim da tarde", "início da manhã", "meio da tarde", "final do dia": a third of the part.
        if let part = word(j), [.fim, .final, .finalzinho, .inicio, .comeco, .comecinho, .meio].contains(part) {
            let k = skip(j + 1, [.da, .de, .do])
            guard let base = word(k) else { return nil }
            let span: (start: Int, end: Int)
            switch base {
            case .manha: span = (6, 12)
            case .tarde: span = (12, 19)
            case .noite: span = (18, 24)
            case .dia: span = (6, 20)
            default: return nil
            }
            let third = (span.end - span.start) / 3
            let (start, end): (Int, Int) = switch part {
            case .inicio, .comeco, .comecinho: (span.start, span.start + third)
            case .meio: (span.start + third, span.end - third)
            default: (span.end - third, span.end)
            }
            return (DayPeriod(start: start, end: end, meridiem: start < 12 ? .am : .pm, twelveIsMidnight: end == 24), k + 1, false, nil)
        }
        guard let text = word(j) else { return nil }
        var period: DayPeriod
        switch text {
        case .manha: period = DayPeriod(start: 4, end: 12, meridiem: .am)
        case .madrugada: period = DayPeriod(start: 0, end: 6, meridiem: .am)
        case .tarde, .tardinha: period = DayPeriod(start: 12, end: 19, meridiem: .pm)
        case .noite, .noitinha: period = DayPeriod(start: 18, end: 24, meridiem: .pm, twelveIsMidnight: true)
        default: return nil
        }
        j += 1
        if isWord(j, .cedo), period.meridiem == .am { j += 1 }
        return (period, j, false, nil)
    }

    private func englishPeriod(_ i: Int) -> (DayPeriod, Int, bare: Bool, dayShift: Int?)? {
        var j = i
        if let k = match(j, .after, .lunch) { return (DayPeriod(start: 13, end: 17, meridiem: .pm), k, false, nil) }
        if let k = match(j, .after, .school) { return (DayPeriod(start: 15, end: 21, meridiem: .pm), k, false, nil) }
        if let k = match(j, .at, .lunch) ?? match(j, .lunch) ?? match(j, .lunchtime) { return (DayPeriod(start: 12, end: 14, meridiem: .pm), k, k == j + 1, nil) }
        if let k = match(j, .late, .last, .night) { return (DayPeriod(start: 21, end: 24, meridiem: .pm, twelveIsMidnight: true), k, false, -1) }
        if let k = match(j, .last, .night) { return (DayPeriod(start: 18, end: 24, meridiem: .pm, twelveIsMidnight: true), k, false, -1) }
        if let k = match(j, .late, .tonight) ?? match(j, .late, .tonite) ?? match(j, .late, .night) {
            return (DayPeriod(start: 21, end: 24, meridiem: .pm, twelveIsMidnight: true), k, false, nil)
        }
        if let k = match(j, .tonight) ?? match(j, .tonite) { return (DayPeriod(start: 18, end: 24, meridiem: .pm, twelveIsMidnight: true), k, false, nil) }
        if let k = match(j, .early, .in, .the, .morning) ?? match(j, .in, .the, .early, .hours, .of, .the, .morning) ?? match(j, .early, .morning) {
            return (DayPeriod(start: 0, end: 9, meridiem: .am), k, false, nil)
        }
        // "late afternoon", "early evening", "mid morning", "end of the day": a third of the part.
        let thirdOf = match(j, .late) ?? match(j, .early) ?? match(j, .mid) ?? match(j, .end, .of, .the) ?? match(j, .in, .the, .late) ?? match(j, .in, .the, .early)
        if let k = thirdOf, let base = word(k), [.morning, .afternoon, .evening, .day].contains(base) {
            let span: (start: Int, end: Int) = switch base {
            case .morning: (6, 12)
            case .afternoon: (12, 19)
            case .evening: (18, 24)
            default: (6, 20)
            }
            let third = (span.end - span.start) / 3
            let early = isWord(j, .early) || isWord(k - 1, .early)
            let middle = isWord(j, .mid)
            let (start, end): (Int, Int) = early ? (span.start, span.start + third) : middle ? (span.start + third, span.end - third) : (span.end - third, span.end)
            return (DayPeriod(start: start, end: end, meridiem: start < 12 ? .am : .pm, twelveIsMidnight: end == 24), k + 1, false, nil)
        }
        // "tomorrow early": early morning, only next to a day.
        if let k = match(j, .early), word(k) == nil || !isWord(k, in: [.morning, .afternoon, .evening, .day]) {
            return (DayPeriod(start: 6, end: 10, meridiem: .am), k, true, nil)
        }
        var bare = true
        if let k = match(j, .in, .the) ?? match(j, .this) ?? match(j, .during, .the) ?? match(j, .at) ?? match(j, .in) {
            j = k
            bare = false
        }
        guard let text = word(j) else { return nil }
        if i > 0, isWord(i - 1, .good) { return nil }
        let period: DayPeriod
        switch text {
        case .morning: period = DayPeriod(start: 0, end: 12, meridiem: .am)
        case .afternoon, .afternoonish: period = DayPeriod(start: 12, end: 19, meridiem: .pm)
        case .evening, .night: period = DayPeriod(start: 18, end: 24, meridiem: .pm, twelveIsMidnight: true)
        default: return nil
        }
        if text == .night, !bare, isWord(i, .in) { return nil }
        return (period, j + 1, bare, nil)
    }
}
