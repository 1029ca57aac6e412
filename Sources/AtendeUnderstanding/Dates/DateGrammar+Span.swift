/// Days and coarser spans: "amanhã", "sexta que vem", "25/11", "dia 25", "próximo mês",
/// "em 2 horas", holidays.
extension DateGrammar {
    func parseSpan(_ i: Int) -> (Span, Int)? {
        guard i < tokens.count else { return nil }
        if let cached = memo.slots[i].span { return cached }
        let result = computeSpan(i)
        memo.slots[i].span = .some(result)
        return result
    }

    private func computeSpan(_ i: Int) -> (Span, Int)? {
        var best: (Span, Int)?
        func consider(_ candidate: (Span, Int)?) {
            guard let candidate else { return }
            if best == nil || candidate.1 > best!.1 { best = candidate }
        }
        consider(relativeDay(i))
        consider(weekdayExpression(i))
        consider(calendarDate(i))
        consider(dayOfMonthOnly(i))
        consider(monthExpression(i))
        consider(relativeUnit(i))
        consider(ordinalUnit(i))
        consider(yearExpression(i))
        consider(shift(i))
        consider(season(i))
        consider(weekend(i))
        consider(boundary(i))
        consider(holiday(i))
        consider(nthOf(i))
        consider(restOfWeek(i))
        consider(numericMonth(i))
        consider(anchoredShift(i))
        return best
    }

    // MARK: Days

    private func relativeDay(_ i: Int) -> (Span, Int)? {
        func day(_ offset: Int, _ next: Int) -> (Span, Int) { (Span(start: today.adding(days: offset), grain: .day), next) }
        guard let text = word(i) else { return nil }
        switch text {
        case .hoje, .hj, .today: return day(0, i + 1)
        case .amanha, .amnh, .tomorrow, .tomorrows: return day(1, i + 1)
        case .ontem, .yesterday: return day(-1, i + 1)
        case .anteontem: return day(-2, i + 1)
        case .depois:
            if let k = match(i, .depois, .de, .amanha) { return day(2, k) }
        case .antes:
            if let k = match(i, .antes, .de, .ontem) { return day(-2, k) }
        case .the, .day:
            let j = text == .the ? i + 1 : i
            if let k = match(j, .day, .after, .tomorrow) { return day(2, k) }
            if let k = match(j, .day, .before, .yesterday) { return day(-2, k) }
        case .agora, .now, .atm:
            return (Span(start: now, grain: .second), i + 1)
        case .right, .just:
            if isWord(i + 1, .now) { return (Span(start: now, grain: .second), i + 2) }
        case .at:
            if let k = match(i, .at, .the, .moment) { return (Span(start: now, grain: .second), k) }
            if let k = match(i, .at, .this, .time) { return day(0, k) }
        case .nesse, .neste, .nesta, .nessa:
            if isWord(i + 1, .instante) { return (Span(start: now, grain: .second), i + 2) }
            if isWord(i + 1, .momento) { return day(0, i + 2) }
        default: break
        }
        return nil
    }

    private func nextWeekday(_ weekday: Int, after day: LocalDateTime) -> LocalDateTime {
        day.adding(days: LocalDateTime.floorModulo(weekday - day.weekday - 1, 7) + 1)
    }

    private func previousWeekday(_ weekday: Int, before day: LocalDateTime) -> LocalDateTime {
        day.adding(days: -(LocalDateTime.floorModulo(day.weekday - weekday - 1, 7) + 1))
    }

    private func weekdayOfWeek(_ weekday: Int, weeks: Int) -> LocalDateTime {
        today.truncated(to: .week).adding(days: weeks * 7 + weekday - 1)
    }

    /// "sexta", "próxima terça", "quarta que vem", "terça passada", "domingo da semana passada",
    /// "next Friday", "last tuesday", "friday after next", "wednesday of this week".
    private func weekdayExpression(_ i: Int) -> (Span, Int)? {
        // `next` is "sexta que vem", "próxima sexta", "next Friday": next week's by default, the
        // coming one where the business reads it so. `nextWeek` names the week ("sexta da semana que vem").
        enum Which { case nearest, next, nextWeek, thisWeek, lastWeek, previous, afterNext }
        // The week first: "semana que vem na quinta", "na próxima semana, terça", "next week on Thursday".
        let weekFirst = language == .pt
            ? match(i, .semana, .que, .vem) ?? match(i, .semana, .q, .vem) ?? match(i, .na, .semana, .que, .vem) ?? match(i, .na, .semana, .q, .vem)
                ?? match(i, .proxima, .semana) ?? match(i, .na, .proxima, .semana)
            : match(i, .next, .week)
        if var k = weekFirst {
            if isSymbol(k, ",") { k += 1 }
            k = skip(k, [.na, .no, .a, .o, .on, .de, .dia])
            if let (weekday, after) = weekday(k) { return (Span(start: weekdayOfWeek(weekday, weeks: 1), grain: .day), after) }
        }
        var j = i
        var which = Which.nearest
        if language == .pt {
            if isWord(j, in: [.proxima, .proximo]) { which = .next; j += 1 }
            else if isWord(j, in: [.ultima, .ultimo]) { which = .previous; j += 1 }
            else { j = skip(j, [.essa, .esta, .este, .esse, .nessa, .nesta, .neste, .nesse, .na, .no, .a, .o, .de, .dia]) }
        } else {
            if isWord(j, .next) || match(j, .around, .next) != nil { which = .next; j += isWord(j, .next) ? 1 : 2 }
            else if isWord(j, .last) || isWord(j, .past) || isWord(j, .previous) {
                which = .previous
                j += 1
            } else if let k = match(j, .last, .weeks) {
                which = .lastWeek
                j = k
            } else {
                j = skip(j, [.this, .on, .coming, .upcoming])
            }
        }
        guard let (weekday, afterName) = weekday(j) else { return nil }
        j = afterName
        if which == .nearest {
            if language == .pt {
                if let k = match(j, .que, .vem) ?? match(j, .q, .vem) {
                    which = .next; j = k
                } else if let k = match(j, .da, .semana, .que, .vem) ?? match(j, .da, .semana, .q, .vem) ?? match(j, .da, .proxima, .semana) ?? match(j, .na, .proxima, .semana) ?? match(j, .da, .outra, .semana) {
                    which = .nextWeek; j = k
                } else if let k = match(j, .passada) ?? match(j, .passado) ?? match(j, .da, .semana, .passada) {
                    which = isWord(j, .da) ? .lastWeek : .previous; j = k
                } else if let k = match(j, .desta, .semana) ?? match(j, .dessa, .semana) ?? match(j, .nesta, .semana) ?? match(j, .nessa, .semana) ?? match(j, .agora) {
                    which = .thisWeek; j = k
                }
            } else {
                if let k = match(j, .after, .next) { which = .afterNext; j = k }
                else if let k = match(j, .of, .next, .week) ?? match(j, .next, .week) { which = .nextWeek; j = k }
                else if let k = match(j, .of, .this, .week) ?? match(j, .this, .week) { which = .thisWeek; j = k }
                else if let k = match(j, .from, .last, .week) ?? match(j, .of, .last, .week) ?? match(j, .last, .week) { which = .lastWeek; j = k }
            }
        }
        if which == .nearest, let (dayNumber, next) = weekdayDayNumber(j) {
            // "Thu 15th": the next month whose 15th is a Thursday.
            var month = today.truncated(to: .month)
            for _ in 0..<36 {
                if LocalDateTime.isValid(year: month.year, month: month.month, day: dayNumber) {
                    let candidate = LocalDateTime(year: month.year, month: month.month, day: dayNumber)
                    if candidate >= today, candidate.weekday == weekday { return (Span(start: candidate, grain: .day), next) }
                }
                month = month.adding(months: 1)
            }
            return nil
        }
        let day: LocalDateTime
        switch which {
        case .nearest: day = nextWeekday(weekday, after: today)
        case .next: day = nextWeekdayReading == .coming ? nextWeekday(weekday, after: today) : weekdayOfWeek(weekday, weeks: 1)
        case .nextWeek: day = weekdayOfWeek(weekday, weeks: 1)
        case .thisWeek: day = weekdayOfWeek(weekday, weeks: 0)
        case .lastWeek: day = weekdayOfWeek(weekday, weeks: -1)
        case .previous: day = previousWeekday(weekday, before: today)
        case .afterNext: day = nextWeekday(weekday, after: nextWeekday(weekday, after: today))
        }
        return (Span(start: day, grain: .day), j)
    }

    /// A date with day and month: "25/11", "25 de novembro", "Dec 3", "1º de dezembro",
    /// "sexta, 12 de setembro de 2014", "31/Oct/1974", "2015-03-03"; a weekday before or after
    /// narrows the year ("Fri, Jul 18" is the next July 18 that is a Friday).
    private func calendarDate(_ i: Int) -> (Span, Int)? {
        var j = i
        var requiredWeekday: Int?
        if let (weekday, next) = weekday(j) ?? riskyWeekday(j) {
            requiredWeekday = weekday
            j = next
            if isSymbol(j, ",") { j += 1 }
            j = skip(j, language == .pt ? [.dia] : [.the])
        }
        if language == .pt, requiredWeekday == nil { j = skip(j, [.no, .o, .dia, .em, .de]) }
        if language == .en, requiredWeekday == nil { j = skip(j, [.on, .the]) }
        guard let (parsedYear, month, day, parsedNext) = numericDate(j) ?? dayMonthYear(j) ?? monthDayYear(j) else { return nil }
        var year = parsedYear
        var next = parsedNext
        // A trailing weekday: "12 de setembro de 2014, sexta", "Jul 18, Fri".
        var k = next
        if isSymbol(k, ",") { k += 1 }
        if let (weekday, after) = weekday(k) ?? riskyWeekday(k), requiredWeekday == nil || requiredWeekday == weekday {
            requiredWeekday = weekday
            next = after
        }
        if year == nil {
            if let weekday = requiredWeekday {
                // Search forward for a year where the date falls on that weekday.
                var found = false
                for candidate in now.year..<(now.year + 28) where LocalDateTime.isValid(year: candidate, month: month, day: day) {
                    if LocalDateTime(year: candidate, month: month, day: day).weekday == weekday { year = candidate; found = true; break }
                }
                if !found { return nil }
            } else {
                let thisYear = LocalDateTime(year: now.year, month: month, day: min(day, 28))
                year = (LocalDateTime.isValid(year: now.year, month: month, day: day) && LocalDateTime(year: now.year, month: month, day: day) >= today) || thisYear.month > now.month ? now.year : now.year + 1
                if month == now.month && day >= now.day { year = now.year }
            }
        }
        guard let year, LocalDateTime.isValid(year: year, month: month, day: day) else { return nil }
        _ = day
        return (Span(start: LocalDateTime(year: year, month: month, day: day), grain: .day), next)
    }

    private func weekdayDayNumber(_ i: Int) -> (Int, Int)? {
        var j = i
        if isSymbol(j, ",") { j += 1 }
        if language == .en {
            let hasThe = isWord(j, .the)
            if hasThe { j += 1 }
            guard let value = number(j), digits(j) <= 2, (1...31).contains(value) else { return nil }
            let next = ordinalSuffix(j + 1)
            guard next > j + 1 || hasThe else { return nil }
            if month(next, allowAbbreviation: true) != nil || isWord(next, .of) { return nil }
            return (value, next)
        }
        guard isWord(j, .dia), let value = number(j + 1), (1...31).contains(value) else { return nil }
        if isWord(j + 2, .de) || month(j + 2, allowAbbreviation: true) != nil { return nil }
        return (value, j + 2)
    }

    private func riskyWeekday(_ i: Int) -> (Int, Int)? {
        guard let value = lexeme(i).weekday, lexeme(i).isRiskyWeekday else { return nil }
        return (value, i + 1)
    }

    private func twoDigitYear(_ value: Int, digits: Int) -> Int? {
        if digits == 4 { return value }
        if digits == 2 { return value < 50 ? 2000 + value : 1900 + value }
        return nil
    }

    /// 25/11, 25/11/2026, 25-11-26, 1.3.2013; English reads month first (2/15, 10/31/1974);
    /// year first in 2015-03-03.
    private func numericDate(_ i: Int) -> (Int?, Int, Int, Int)? {
        guard let first = number(i), digits(i) <= 4 else { return nil }
        let separator = i + 1
        guard i + 2 < tokens.count, tokens[separator].kind == .symbol, (["/", "-", "."] as [Unicode.Scalar]).contains(tokens[separator].symbol),
              let second = number(separator + 1) else { return nil }
        let sep = tokens[separator].symbol
        let tight = glued(separator) && glued(separator + 1)
        if !tight && sep != "/" && !(sep == "-" && language == .en) { return nil }
        if sep == "." && !tight { return nil }
        var j = separator + 2
        var third: (Int, Int)?
        if isSymbol(j, sep), glued(j) == tight, let value = number(j + 1), glued(j + 1) == tight || !tight {
            third = (value, digits(j + 1))
            j += 2
        }
        // Phone numbers and codes: more groups follow.
        if (isSymbol(j, "-") || isSymbol(j, ".") || isSymbol(j, "/")) && glued(j) && number(j + 1) != nil { return nil }
        if glued(j), number(j) != nil { return nil }
        if digits(i) == 4 {
            // 2015-03-03, 2014-10
            guard let month = Optional(second), (1...12).contains(month), digits(separator + 1) <= 2 else { return nil }
            if let (day, count) = third {
                guard count <= 2 else { return nil }
                return (first, month, day, j)
            }
            guard sep != "." else { return nil }
            return nil
        }
        guard digits(i) <= 2, digits(separator + 1) <= 2 else { return nil }
        let (day, month) = language == .pt ? (first, second) : (second, first)
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        if let (value, count) = third {
            guard let year = twoDigitYear(value, digits: count) else { return nil }
            return (year, month, day, j)
        }
        // A bare "d.m" is a time ("15.30") and "d-m" too risky without a year.
        if sep == "." { return nil }
        return (nil, month, day, j)
    }

    /// "25 de novembro [de 2026]", "5 maio 2013", "15th of february", "31st Oct 1974",
    /// "the ides of march", "14april 2015", "31/Oct/1974".
    private func dayMonthYear(_ i: Int) -> (Int?, Int, Int, Int)? {
        var j = i
        var day: Int
        if language == .en, let k = match(j, .the, .ides, .of) ?? match(j, .ides, .of) {
            day = 15
            j = k
        } else {
            if language == .en, isWord(j, .the) { j += 1 }
            guard let (value, next) = dayOfMonth(j) else { return nil }
            day = value
            j = next
            if isSymbol(j, "/") || isSymbol(j, "-") {
                // 31/Oct/1974
                guard let (month, k) = month(j + 1, allowAbbreviation: true), isSymbol(k, tokens[j].symbol), let (value, count) = number(k + 1).map({ ($0, digits(k + 1)) }),
                      let year = twoDigitYear(value, digits: count) else { return nil }
                return (year, month, day, k + 2)
            }
            if language == .pt { if isWord(j, .de) { j += 1 } } else { j = skip(j, [.of, .the]) }
        }
        guard let (month, next) = month(j, allowAbbreviation: true) else { return nil }
        j = next
        if let (year, after) = trailingYear(j) { return (year, month, day, after) }
        return (nil, month, day, j)
    }

    /// "maio 5", "march 3rd 2015", "February the 15th", "April 14, 2015", "Feb13".
    private func monthDayYear(_ i: Int) -> (Int?, Int, Int, Int)? {
        guard let (month, afterMonth) = month(i, allowAbbreviation: true) else { return nil }
        var j = afterMonth
        if language == .en, isWord(j, .the) { j += 1 }
        guard let (day, next) = dayOfMonth(j) else { return nil }
        // "July 13-15" is a range, read by the interval rules.
        if isSymbol(next, "-") && number(next + 1) != nil { return nil }
        if number(j) != nil, digits(j) > 2 { return nil }
        j = next
        if let (year, after) = trailingYear(j) { return (year, month, day, after) }
        return (nil, month, day, j)
    }

    func trailingYear(_ i: Int) -> (Int, Int)? {
        var j = i
        if isSymbol(j, ",") || isWord(j, .de) || isWord(j, .of) { j += 1 }
        if let (year, next) = year(j) { return (year, next) }
        if let value = number(j), digits(j) == 2, isSymbol(j - 1, ",") == false, !isSymbol(j + 1, ":"), !glued(j + 1) || word(j + 1) == nil {
            // "14th April 15"
            if language == .en, word(j + 1) == nil || !(isWord(j + 1, in: [.h, .am, .pm])) { return (2000 + value, j + 1) }
        }
        return nil
    }

    /// "dia 25", "no dia 17", "the 15th", "on the first": the next such day of a month.
    private func dayOfMonthOnly(_ i: Int) -> (Span, Int)? {
        var j = i
        let day: Int
        if language == .pt {
            j = skip(j, [.no, .esse, .este, .essa, .esta, .nesse, .neste, .o])
            guard isWord(j, .dia), let (value, next) = dayOfMonth(j + 1) else { return nil }
            day = value
            j = next
            if isWord(j, .do), isWord(j + 1, in: [.mes, .proximo]) { return nil }
        } else {
            var prefixed = false
            if isWord(j, .on) { j += 1; prefixed = true }
            if isWord(j, .the) { j += 1; prefixed = true }
            if !prefixed, number(j) != nil {
                let k = ordinalSuffix(j + 1)
                prefixed = isWord(k, .of) || (isWord(k, .day) && isWord(k + 1, .of))
            }
            guard prefixed else { return nil }
            if let value = number(j), digits(j) <= 2, ordinalSuffix(j + 1) > j + 1 {
                day = value
                j = ordinalSuffix(j + 1)
            } else if let value = number(j), digits(j) <= 2, isWord(j + 1, .of) || isWord(j + 1, .day) {
                day = value
                j += 1
            } else if isWord(i, .on), isWord(i + 1, .the), let (value, next) = dayOfMonth(j), word(j) != nil {
                day = value
                j = next
            } else {
                return nil
            }
            guard (1...31).contains(day) else { return nil }
            // "20th of next month", "the 20th of the current month"
            j = skip(j, [.day])
            if isWord(j, .of) {
                let k = skip(j + 1, [.the])
                var offset: Int?
                if isWord(k, in: [.next, .following]) { offset = 1 } else if isWord(k, in: [.this, .current]) { offset = 0 } else if isWord(k, in: [.previous, .last]) { offset = -1 }
                if let offset, isWord(k + 1, .month) {
                    let month = today.truncated(to: .month).adding(months: offset)
                    guard LocalDateTime.isValid(year: month.year, month: month.month, day: day) else { return nil }
                    return (Span(start: LocalDateTime(year: month.year, month: month.month, day: day), grain: .day), k + 2)
                }
            }
        }
        guard (1...31).contains(day) else { return nil }
        var month = today.truncated(to: .month)
        if day < today.day { month = month.adding(months: 1) }
        for _ in 0..<3 {
            if LocalDateTime.isValid(year: month.year, month: month.month, day: day) {
                return (Span(start: LocalDateTime(year: month.year, month: month.month, day: day), grain: .day), j)
            }
            month = month.adding(months: 1)
        }
        return nil
    }

    // MARK: Months, weeks, years

    /// "março", "em maio", "next March", "March after next", "October 2014", "fevereiro de 2014".
    private func monthExpression(_ i: Int) -> (Span, Int)? {
        var j = i
        var offset = 0
        var explicitContext = false
        if language == .pt {
            if isWord(j, .em) || isWord(j, .no) || isWord(j, .de) || isWord(j, .durante) { j += 1; explicitContext = true }
            if let k = match(j, .mes, .de) ?? match(j, .o, .mes, .de) { j = k; explicitContext = true }
        } else {
            if isWord(j, .in) || isWord(j, .during) { j += 1; explicitContext = true }
            if isWord(j, .next) { j += 1; offset = 1; explicitContext = true }
        }
        guard let (month, next) = month(j, allowAbbreviation: false) ?? (language == .en && explicitContext && isWord(j, .may) ? (5, j + 1) : nil) else { return nil }
        if language == .en, isWord(j, .may), !explicitContext { return nil }
        j = next
        if let (year, after) = trailingYear(j), trailingYearIsReal(j) {
            return (Span(start: LocalDateTime(year: year, month: month, day: 1), grain: .month), after)
        }
        var year = month >= now.month ? now.year : now.year + 1
        if offset == 1, month <= now.month { year = now.year + 1 }
        if language == .en, isWord(j, .in), let ((amount, unit), k) = duration(j + 1), unit == .year {
            return (Span(start: LocalDateTime(year: now.year + amount, month: month, day: 1), grain: .month), k)
        }
        if language == .en, let k = match(j, .after, .next) {
            year = (month > now.month ? now.year : now.year + 1) + 1
            j = k
        }
        return (Span(start: LocalDateTime(year: year, month: month, day: 1), grain: .month), j)
    }

    func trailingYearIsReal(_ i: Int) -> Bool {
        var j = i
        if isSymbol(j, ",") || isWord(j, .de) || isWord(j, .of) { j += 1 }
        return year(j) != nil
    }

    /// "esta semana", "semana que vem", "mês passado", "próximo ano", "trimestre atual",
    /// "this week", "last year", "upcoming two weeks".
    private func relativeUnit(_ i: Int) -> (Span, Int)? {
        var j = i
        var offset: Int?
        if language == .pt {
            if isWord(j, in: [.este, .esta, .esse, .essa, .neste, .nesta, .nesse, .nessa]) { offset = 0 }
            else if isWord(j, in: [.proximo, .proxima]) { offset = 1 }
            else if isWord(j, in: [.ultimo, .ultima, .passado, .passada, .anterior]) { offset = -1 }
            if offset != nil { j += 1 }
        } else {
            if let k = match(j, .upcoming) ?? match(j, .coming) ?? match(j, .the, .following) ?? match(j, .following) ?? match(j, .around, .next) ?? match(j, .next) {
                j = k
                offset = 1
                if let (count, next) = count(j), count > 1, let unit = unit(next), unit >= .day, isWord(i, .upcoming) {
                    return (Span(start: now.truncated(to: unit).adding(count, unit), grain: unit), next + 1)
                }
            } else if let k = match(j, .this) ?? match(j, .current) { j = k; offset = 0 }
            else if let k = match(j, .last) ?? match(j, .past) ?? match(j, .previous) { j = k; offset = -1 }
            else if let (count, next) = count(j), isWord(next, .upcoming), let unit = unit(next + 1), unit >= .day {
                return (Span(start: now.truncated(to: unit).adding(count, unit), grain: unit), next + 2)
            }
        }
        guard let text = word(j), let unit = unit(j), unit >= .hour, !spelling(j).hasSuffix("s") || text == .mes else { return nil }
        if unit == .hour && language == .en { return nil }
        if unit == .day { return nil }
        j += 1
        if offset == nil, language == .pt {
            if let k = match(j, .que, .vem) ?? match(j, .seguinte) ?? match(j, .proximo) ?? match(j, .proxima) { offset = 1; j = k }
            else if let k = match(j, .passado) ?? match(j, .passada) ?? match(j, .anterior) { offset = -1; j = k }
            else if let k = match(j, .atual) ?? match(j, .actual) ?? match(j, .corrente) { offset = 0; j = k }
        }
        guard let offset else { return nil }
        if unit == .hour, offset == 0 { return nil }
        return (Span(start: now.truncated(to: unit).adding(offset, unit), grain: unit), j)
    }

    /// "segundo trimestre de 2013", "3rd qtr", "the 4th qtr of 2018", "18q4", "2018Q4",
    /// "primeiro mês de 2013", "último mês de 2013".
    private func ordinalUnit(_ i: Int) -> (Span, Int)? {
        var j = i
        if let value = number(j), glued(j + 1), let text = word(j + 1), text == .q, glued(j + 2), let quarter = number(j + 2), (1...4).contains(quarter) {
            let year = digits(j) == 4 ? value : (digits(j) == 2 ? 2000 + value : -1)
            guard year > 0 else { return nil }
            return (Span(start: LocalDateTime(year: year, month: (quarter - 1) * 3 + 1, day: 1), grain: .quarter), j + 3)
        }
        j = skip(j, language == .pt ? [.o, .no, .do, .de] : [.the, .in])
        var ordinal: Int
        if let value = number(j), digits(j) == 1, ordinalSuffix(j + 1) > j + 1 {
            ordinal = value
            j = ordinalSuffix(j + 1)
        } else if let text = word(j), let value = ordinalWord(j) {
            ordinal = value
            j += 1
            if spelling(j - 1).hasPrefix("decim"), let unit = ordinalWord(j), unit > 0 { ordinal += unit; j += 1 }
        } else {
            return nil
        }
        guard word(j) != nil, let unit = unit(j), unit == .quarter || unit == .month else { return nil }
        j += 1
        var year = now.year
        if let (value, next) = trailingYear(j), trailingYearIsReal(j) { year = value; j = next }
        if unit == .quarter {
            if ordinal == -1 { ordinal = 4 }
            guard (1...4).contains(ordinal) else { return nil }
            return (Span(start: LocalDateTime(year: year, month: (ordinal - 1) * 3 + 1, day: 1), grain: .quarter), j)
        }
        if ordinal == -1 { ordinal = 12 }
        guard (1...12).contains(ordinal) else { return nil }
        return (Span(start: LocalDateTime(year: year, month: ordinal, day: 1), grain: .month), j)
    }

    /// "em 2014", "in 2014", "in 2014 BC".
    private func yearExpression(_ i: Int) -> (Span, Int)? {
        guard isWord(i, in: [.em, .in, .no, .ano, .de, .do]) else { return nil }
        var j = i + 1
        if isWord(j, .ano) { j += 1 }
        var value: Int
        if let (year, next) = year(j) { value = year; j = next }
        else if language == .en, let v = number(j), digits(j) <= 2, isWord(j + 1, .a) || isWord(j + 1, .ad) || isWord(j + 1, .b) || isWord(j + 1, .bc) { value = v; j += 1 }
        else { return nil }
        if language == .en {
            if let k = match(j, .ad) ?? match(j, .a) .flatMap({ isSymbol($0, ".") && isWord($0 + 1, .d) ? $0 + 2 : nil }) {
                j = isSymbol(k, ".") ? k + 1 : k
            } else if let k = match(j, .bc) ?? match(j, .b).flatMap({ isSymbol($0, ".") && isWord($0 + 1, .c) ? $0 + 2 : nil }) {
                j = isSymbol(k, ".") ? k + 1 : k
                value = -value
            }
        }
        return (Span(start: LocalDateTime(year: value, month: 1, day: 1), grain: .year), j)
    }

    // MARK: Shifts from now

    /// A length of time: "2 horas", "três dias", "half an hour", "1/4h", "2.5 hours",
    /// "a couple of minutes", "meia hora", "uma hora e meia". Returned in one unit.
    func duration(_ i: Int) -> ((Int, TimeGrain), Int)? {
        var j = i
        if language == .en {
            if let k = match(j, .half, .an, .hour) ?? match(j, .half, .hour) { return ((30, .minute), k) }
            if let k = match(j, .a, .quarter, .of, .an, .hour) ?? match(j, .quarter, .of, .an, .hour) { return ((15, .minute), k) }
            if isWord(j, .three), isSymbol(j + 1, "-"), let k = match(j + 2, .quarters, .of, .an, .hour) { return ((45, .minute), k) }
            if let k = match(j, .three, .quarters, .of, .an, .hour) { return ((45, .minute), k) }
            if let k = match(j, .a, .fortnight) ?? match(j, .fortnight) { return ((14, .day), k) }
        } else {
            if let k = match(j, .meia, .hora) { return ((30, .minute), k) }
            if let k = match(j, .um, .quarto, .de, .hora) { return ((15, .minute), k) }
        }
        // 1/4h, 1/2 hour, 3/4 h
        if let numerator = number(j), isSymbol(j + 1, "/"), glued(j + 1), let denominator = number(j + 2), glued(j + 2), denominator == 2 || denominator == 4, numerator < denominator {
            let k = j + 3
            guard unit(k) == .hour else { return nil }
            return ((60 * numerator / denominator, .minute), k + 1)
        }
        // 2.5 hours
        if let whole = number(j), isSymbol(j + 1, "."), glued(j + 1), let fraction = number(j + 2), glued(j + 2), digits(j + 2) == 1,
           let unit = unit(j + 3), unit == .hour {
            return ((whole * 60 + fraction * 6, .minute), j + 4)
        }
        guard var (amount, next) = count(j) else { return nil }
        if number(j) != nil, digits(j) > 4 { return nil }
        j = next
        if language == .en, isWord(j, .more) { j += 1 }
        var half = false
        if language == .en, let k = match(j, .and, .an, .half) ?? match(j, .and, .a, .half) { half = true; j = k }
        guard let text = word(j), var unit = unit(j) else {
            // "in 15'" minutes, "in 1\"" seconds
            if isSymbol(j, "'") { return ((amount, .minute), j + 1) }
            if isSymbol(j, "\"") { return ((amount, .second), j + 1) }
            return nil
        }
        if text == .h || text == .hs, glued(j) == false, language == .pt { return nil }
        j += 1
        if language == .pt, isWord(j, .e), isWord(j + 1, .meia) {
            half = true
            j += 2
        }
        if half {
            switch unit {
            case .hour: amount = amount * 60 + 30; unit = .minute
            case .day: amount = amount * 24 + 12; unit = .hour
            case .minute: amount = amount * 60 + 30; unit = .second
            default: break
            }
        }
        return ((amount, unit), j)
    }

    private func shifted(_ amount: Int, _ unit: TimeGrain, from anchor: LocalDateTime = LocalDateTime(year: 0, month: 1, day: 1), anchorGrain: TimeGrain? = nil) -> Span {
        if let anchorGrain {
            return Span(start: anchor.adding(amount, unit).truncated(to: anchorGrain), grain: anchorGrain)
        }
        let grain = unit.finerForShift
        return Span(start: now.adding(amount, unit).truncated(to: grain), grain: grain)
    }

    /// "em 2 horas", "daqui a 3 dias", "in 2 hours", "3 days from now", "7 days ago",
    /// "faz 3 semanas", "3 fridays from now", "2 thursdays ago".
    func shift(_ i: Int) -> (Span, Int)? {
        var j = i
        var sign = 1
        var prefixed = false
        if language == .pt {
            if let k = match(j, .daqui, .a) ?? match(j, .daqui) ?? match(j, .em) ?? match(j, .dentro, .de) ?? match(j, .depois, .de) { j = k; prefixed = true }
            else if let k = match(j, .faz) ?? match(j, .fazem) ?? match(j, .ha) { j = k; prefixed = true; sign = -1 }
        } else if isWord(j, .in) {
            j += 1
            prefixed = true
            j = skip(j, [.about, .around, .approximately])
        }
        // N weekdays from now / ago. The words after the plural are checked first, so an ordinary
        // plural ("2 filhos") costs no String work.
        if let (amount, next) = count(j), word(next) != nil, isWord(next + 1, .from) || isWord(next + 1, .ago) || isWord(next + 1, .back),
           spelling(next).hasSuffix("s"), let weekday = DateVocabulary.for(language).weekdays[String(spelling(next).dropLast())] {
            var k = next + 1
            if let end = match(k, .from, .now) {
                k = end
                var day = today
                for _ in 0..<amount { day = nextWeekday(weekday, after: day) }
                return (Span(start: day, grain: .day), k)
            }
            if let end = match(k, .ago) ?? match(k, .back) {
                k = end
                var day = today
                for _ in 0..<amount { day = previousWeekday(weekday, before: day) }
                return (Span(start: day, grain: .day), k)
            }
        }
        if language == .en, prefixed, let value = number(j), digits(j) <= 2, word(j + 1) == nil || (unit(j + 1) == nil && !isWord(j + 1, .and)) , !isSymbol(j + 1, "/"), !isSymbol(j + 1, "."), !isSymbol(j + 1, "'"), !isSymbol(j + 1, "\""), !isSymbol(j + 1, ":") {
            // "in 15": minutes.
            if word(j + 1) == nil { return (shifted(value, .minute), j + 1) }
        }
        guard let ((amount, unit), next) = duration(j) else { return nil }
        j = next
        if prefixed {
            if sign == -1 { return (shifted(-amount, unit), j) }
            if isWord(i, .dentro) { return nil }
            return (shifted(amount, unit), j)
        }
        if language == .en {
            if let k = match(j, .from, .now) ?? match(j, .hence) ?? match(j, .later) { return (shifted(amount, unit), k) }
            if let k = match(j, .from, .right, .now) { return (Span(start: now.adding(amount, unit), grain: .second), k) }
            if let k = match(j, .from, .today) { return (shifted(amount, unit, from: today, anchorGrain: .day), k) }
            if let k = match(j, .from, .tomorrow) { return (shifted(amount, unit, from: today.adding(days: 1), anchorGrain: .day), k) }
            if let k = match(j, .ago) ?? match(j, .back) { return (shifted(-amount, unit), k) }
        }
        return nil
    }

    // MARK: Seasons, weekends, beginnings and ends

    private func season(_ i: Int) -> (Span, Int)? {
        var j = i
        var offset = 0
        if isWord(j, in: [.este, .esta, .esse, .essa, .neste, .nesse, .this, .current]) { j += 1 }
        else if isWord(j, in: [.next, .proximo, .proxima]) { offset = 1; j += 1 }
        else if isWord(j, in: [.last, .past, .previous]) { offset = -1; j += 1 }
        else if !isWord(j, in: [.no, .na, .in, .the]) { return nil } else { j += 1 }
        guard let text = word(j) else { return nil }
        j += 1
        // Named seasons use Duckling's fixed boundaries; "this season" the astronomical ones.
        let named: (start: (Int, Int), end: (Int, Int))?
        switch text {
        case .verao, .summer: named = ((6, 21), (9, 24))
        case .inverno, .winter: named = ((12, 21), (3, 21))
        case .primavera, .spring: named = ((3, 20), (6, 21))
        case .outono, .fall, .autumn: named = ((9, 23), (12, 21))
        case .season, .seasons, .estacao:
            named = nil
        default: return nil
        }
        if let named {
            // The season around now, else the next one.
            var startYear = now.year
            if named.start.0 > named.end.0 {
                // Winter spans the new year.
                if now.month < named.end.0 || (now.month == named.end.0 && now.day < named.end.1) { startYear -= 1 }
            } else if LocalDateTime(year: now.year, month: named.end.0, day: named.end.1) <= today {
                startYear += 1
            }
            startYear += offset
            let start = LocalDateTime(year: startYear, month: named.start.0, day: named.start.1)
            let endYear = named.start.0 > named.end.0 ? startYear + 1 : startYear
            return (Span(start: start, grain: .day, end: LocalDateTime(year: endYear, month: named.end.0, day: named.end.1)), j)
        }
        let boundaries = [(3, 20), (6, 21), (9, 23), (12, 21)]
        let ends = [(6, 20), (9, 23), (12, 20), (3, 19)]
        var index = 3
        var year = now.year - 1
        for (position, boundary) in boundaries.enumerated() where LocalDateTime(year: now.year, month: boundary.0, day: boundary.1) <= today {
            index = position
            year = now.year
        }
        index += offset
        while index < 0 { index += 4; year -= 1 }
        while index > 3 { index -= 4; year += 1 }
        let start = LocalDateTime(year: year, month: boundaries[index].0, day: boundaries[index].1)
        let endYear = index == 3 ? year + 1 : year
        return (Span(start: start, grain: .day, end: LocalDateTime(year: endYear, month: ends[index].0, day: ends[index].1)), j)
    }

    /// "este fim de semana", "no final de semana", "this weekend", "this past weekend".
    private func weekend(_ i: Int) -> (Span, Int)? {
        var j = i
        var offset = 0
        if language == .pt {
            j = skip(j, [.este, .esse, .neste, .nesse, .no, .o])
            if isWord(j, .proximo) { offset = 1; j += 1 }
            if isWord(j, in: [.ultimo]) { offset = -1; j += 1 }
            guard let k = match(j, .fim, .de, .semana) ?? match(j, .final, .de, .semana) else { return nil }
            j = k
            if let k = match(j, .que, .vem) { offset = 1; j = k } else if let k = match(j, .passado) { offset = -1; j = k }
        } else {
            if let k = match(j, .this, .past) ?? match(j, .last) ?? match(j, .past) { offset = -1; j = k }
            else if let k = match(j, .next) { offset = 1; j = k }
            else { j = skip(j, [.this, .the, .on, .over]) }
            if let k = match(j, .weekend) ?? match(j, .wkend) ?? match(j, .week, .end) { j = k }
            else if isWord(j, .week), isSymbol(j + 1, "-"), isWord(j + 2, .end) { j += 3 }
            else { return nil }
        }
        let friday = today.truncated(to: .week).adding(days: 4 + offset * 7)
        return (Span(start: friday.at(hour: 18), grain: .hour, end: friday.adding(days: 3)), j)
    }

    /// "end of the month", "EOM", "beginning of next week", "early March", "end of 2012",
    /// "fim do mês", "início da semana que vem".
    private func boundary(_ i: Int) -> (Span, Int)? {
        var j = i
        enum Part { case beginning, middle, end }
        var part: Part
        if language == .en {
            j = skip(j, [.at, .the])
            if let text = word(j), [.eom, .bom, .eoy, .boy].contains(text) {
                let unit: TimeGrain = text == .eom || text == .bom ? .month : .year
                let base = today.truncated(to: unit)
                return (boundarySpan(text == .eom || text == .eoy ? 2 : 0, of: base, unit), j + 1)
            }
            if isWord(j, .eod) { return (Span(start: today, grain: .day, end: today.adding(days: 1), isBoundary: true), j + 1) }
            if isWord(j, .early) { part = .beginning } else if isWord(j, .mid) { part = .middle } else if isWord(j, .late) { part = .end }
            else if let k = match(j, .beginning, .of) ?? match(j, .start, .of) { part = .beginning; j = k - 1 }
            else if let k = match(j, .end, .of) { part = .end; j = k - 1 }
            else { return nil }
            j += 1
            if isWord(j, .of) { j += 1 }
            j = skip(j, [.the])
        } else {
            j = skip(j, [.no, .na, .ao, .o, .a, .ate])
            if isWord(j, in: [.inicio, .comeco, .comecinho]) { part = .beginning } else if isWord(j, in: [.fim, .final, .finalzinho]) { part = .end } else if isWord(j, .meados) { part = .middle } else { return nil }
            j += 1
            guard isWord(j, in: [.do, .da, .de]) else { return nil }
            j += 1
        }
        let index = part == .beginning ? 0 : (part == .middle ? 1 : 2)
        if let (month, next) = month(j, allowAbbreviation: false) {
            var year = month >= now.month ? now.year : now.year + 1
            var k = next
            if let (value, after) = trailingYear(next), trailingYearIsReal(next) { year = value; k = after }
            return (boundarySpan(index, of: LocalDateTime(year: year, month: month, day: 1), .month), k)
        }
        if let (year, next) = year(j) { return (boundarySpan(index, of: LocalDateTime(year: year, month: 1, day: 1), .year), next) }
        if language == .pt, isWord(j, .dia) { return (Span(start: today.at(hour: 17), grain: .hour, end: today.adding(days: 1)), j + 1) }
        // "this week", "next month", "the year", "semana que vem"
        var offset = 0
        var k = j
        if language == .en {
            if isWord(k, in: [.this, .current]) { k += 1 }
            else if isWord(k, in: [.next, .coming, .following]) { offset = 1; k += 1 }
            else if let m = match(k, .around, .next) { offset = 1; k = m }
            else if isWord(k, in: [.last, .past, .previous]) { offset = -1; k += 1 }
        } else {
            if isWord(k, in: [.proximo, .proxima]) { offset = 1; k += 1 }
        }
        guard let unit = unit(k), unit == .week || unit == .month || unit == .year else { return nil }
        k += 1
        if language == .pt {
            if let m = match(k, .que, .vem) { offset = 1; k = m } else if let m = match(k, .passado) ?? match(k, .passada) { offset = -1; k = m }
        }
        let base = today.truncated(to: unit).adding(offset, unit)
        var span = boundarySpan(index, of: base, unit)
        if isWord(i, .by) { span.isBoundary = true }
        return (span, k)
    }

    private func boundarySpan(_ part: Int, of base: LocalDateTime, _ unit: TimeGrain) -> Span {
        switch unit {
        case .week:
            let starts = [0, 2, 4]
            let ends = [3, 5, 7]
            return Span(start: base.adding(days: starts[part]), grain: .day, end: base.adding(days: ends[part]), isBoundary: true)
        case .month:
            let starts = [1, 11, 21]
            let start = LocalDateTime(year: base.year, month: base.month, day: starts[part])
            let end = part == 2 ? base.adding(months: 1) : LocalDateTime(year: base.year, month: base.month, day: starts[part] + 10)
            return Span(start: start, grain: .day, end: end, isBoundary: true)
        default:
            let starts = [1, 5, 9]
            let ends = [4, 9, 13]
            let start = LocalDateTime(year: base.year, month: starts[part], day: 1)
            let end = LocalDateTime(year: base.year, month: 1, day: 1).adding(months: ends[part] - 1)
            return Span(start: start, grain: .month, end: end, isBoundary: true)
        }
    }
}

/// Positions inside a month or year: "first tuesday of october", "last day of october 2015",
/// "third last week of 2018", "last weekend of October", "primeira segunda de março",
/// "último dia do mês"; and "2014-10", "2/2013"; and "three days after Easter".
extension DateGrammar {
    func nthOf(_ i: Int) -> (Span, Int)? {
        var j = skip(i, [.the, .o, .a, .na, .no])
        var n: Int
        if let value = number(j), digits(j) == 1, ordinalSuffix(j + 1) > j + 1 {
            n = value
            j = ordinalSuffix(j + 1)
        } else if let text = word(j), let value = ordinalWord(j) {
            n = value
            j += 1
        } else {
            return nil
        }
        var fromEnd = n < 0
        if n > 0, isWord(j, .last) { fromEnd = true; j += 1 }
        if n < 0 { n = 1 }
        enum Target { case day, week, weekend, weekday(Int) }
        var target: Target
        if isWord(j, .day) || isWord(j, .dia) { target = .day; j += 1 }
        else if let k = match(j, .weekend) ?? match(j, .wkend) ?? match(j, .week, .end) ?? match(j, .fim, .de, .semana) { target = .weekend; j = k }
        else if isWord(j, .week), isSymbol(j + 1, "-"), isWord(j + 2, .end) { target = .weekend; j += 3 }
        else if isWord(j, .week) || isWord(j, .semana) { target = .week; j += 1 }
        else if let (weekday, next) = weekday(j) { target = .weekday(weekday); j = next }
        else { return nil }
        guard isWord(j, in: [.of, .in, .de, .do, .da, .em]) else { return nil }
        j += 1
        // The container: a month or a year.
        var container: Span
        if let k = match(j, .the, .month) ?? match(j, .mes) { container = Span(start: today.truncated(to: .month), grain: .month); j = k }
        else if let (month, next) = month(j, allowAbbreviation: true) {
            var year = month >= now.month ? now.year : now.year + 1
            j = next
            if let (value, after) = trailingYear(j), trailingYearIsReal(j) { year = value; j = after }
            container = Span(start: LocalDateTime(year: year, month: month, day: 1), grain: .month)
        }
        else if let (year, next) = year(j) { container = Span(start: LocalDateTime(year: year, month: 1, day: 1), grain: .year); j = next }
        else if let (span, next) = parseSpan(j), span.grain == .month || span.grain == .year, span.end == nil { container = span; j = next }
        else { return nil }
        let start = container.start
        let end = start.adding(1, container.grain)
        switch target {
        case .day:
            let day = fromEnd ? end.adding(days: -n) : start.adding(days: n - 1)
            guard day >= start, day < end else { return nil }
            return (Span(start: day, grain: .day), j)
        case .weekday(let weekday):
            var day: LocalDateTime
            if fromEnd {
                day = end.adding(days: -1)
                day = day.adding(days: -LocalDateTime.floorModulo(day.weekday - weekday, 7) - (n - 1) * 7)
            } else {
                day = start.adding(days: LocalDateTime.floorModulo(weekday - start.weekday, 7) + (n - 1) * 7)
            }
            guard day >= start, day < end else { return nil }
            return (Span(start: day, grain: .day), j)
        case .week:
            // Weeks (Monday to Sunday) that lie inside the container.
            var monday = start.adding(days: LocalDateTime.floorModulo(1 - start.weekday, 7))
            if fromEnd {
                monday = end.adding(days: -1)
                monday = monday.adding(days: -LocalDateTime.floorModulo(monday.weekday - 7, 7) - 6 - (n - 1) * 7)
            } else {
                monday = monday.adding(days: (n - 1) * 7)
            }
            guard monday >= start, monday.adding(days: 7) <= end else { return nil }
            return (Span(start: monday, grain: .week), j)
        case .weekend:
            // Weekends whose Sunday lies inside the container.
            var friday: LocalDateTime
            if fromEnd {
                let sunday = end.adding(days: -1).adding(days: -LocalDateTime.floorModulo(end.adding(days: -1).weekday - 7, 7) - (n - 1) * 7)
                friday = sunday.adding(days: -2)
            } else {
                let sunday = start.adding(days: LocalDateTime.floorModulo(7 - start.weekday, 7) + (n - 1) * 7)
                friday = sunday.adding(days: -2)
            }
            return (Span(start: friday.at(hour: 18), grain: .hour, end: friday.adding(days: 3)), j)
        }
    }

    /// "all week", "rest of the week", "o resto da semana": to Sunday (Duckling ends it on Sunday).
    func restOfWeek(_ i: Int) -> (Span, Int)? {
        // The words first: the date arithmetic only for a match.
        if let k = match(i, .all, .week) ?? match(i, .a, .semana, .toda) ?? match(i, .toda, .a, .semana) {
            return (Span(start: today.truncated(to: .week), grain: .day, end: today.truncated(to: .week).adding(days: 6)), k)
        }
        if let k = match(i, .rest, .of, .the, .week) ?? match(i, .resto, .da, .semana) ?? match(i, .o, .resto, .da, .semana) {
            return (Span(start: today, grain: .day, end: today.truncated(to: .week).adding(days: 6)), k)
        }
        return nil
    }

    /// "2014-10", "2014/10", "2/2013": a month.
    func numericMonth(_ i: Int) -> (Span, Int)? {
        guard let first = number(i), i + 2 < tokens.count, isSymbol(i + 1, "/") || isSymbol(i + 1, "-"), glued(i + 1), glued(i + 2),
              let second = number(i + 2) else { return nil }
        if isSymbol(i + 3, "/") || isSymbol(i + 3, "-") || number(i + 3) != nil { return nil }
        if digits(i) == 4, digits(i + 2) <= 2, (1...12).contains(second) {
            return (Span(start: LocalDateTime(year: first, month: second, day: 1), grain: .month), i + 3)
        }
        if digits(i) <= 2, digits(i + 2) == 4, (1...12).contains(first), isSymbol(i + 1, "/") {
            return (Span(start: LocalDateTime(year: second, month: first, day: 1), grain: .month), i + 3)
        }
        return nil
    }

    /// "three days after Easter", "3 dias depois do Natal", "third tuesday after christmas 2014".
    func anchoredShift(_ i: Int) -> (Span, Int)? {
        if let (ordinal, afterOrdinal) = ordinalWord(i).map({ ($0, i + 1) }), ordinal > 0,
           let (weekday, next) = weekday(afterOrdinal), isWord(next, .after) || isWord(next, .depois),
           let (anchor, end) = parseSpan(skip(next + 1, [.do, .da, .de])), anchor.grain == .day {
            var day = anchor.start
            for _ in 0..<ordinal { day = nextWeekday(weekday, after: day) }
            return (Span(start: day, grain: .day), end)
        }
        guard let ((amount, unit), next) = duration(i), unit >= .day else { return nil }
        var sign = 1
        var j = next
        if isWord(j, .after) || isWord(j, .depois) { j += 1 } else if isWord(j, .before) || isWord(j, .antes) { sign = -1; j += 1 } else { return nil }
        j = skip(j, [.do, .da, .de, .dos])
        guard let (anchor, end) = parseSpan(j), anchor.grain == .day, anchor.end == nil else { return nil }
        return (Span(start: anchor.start.adding(sign * amount, unit), grain: .day), end)
    }
}
