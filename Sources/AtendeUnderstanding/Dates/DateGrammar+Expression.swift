/// Whole expressions: a point (day + time + part of day), intervals between points, open
/// intervals, "next 3 days", and holidays; and how each is resolved against now.
extension DateGrammar {
    /// The longest expression starting at token `i`.
    func parseExpression(_ i: Int) -> (ResolvedTime, Int)? {
        var best: (ResolvedTime, Int)?
        func consider(_ candidate: (ResolvedTime, Int)?) {
            guard let candidate else { return }
            if best == nil || candidate.1 > best!.1 { best = candidate }
        }
        consider(dayRange(i))
        if let (point, next) = parsePoint(i) {
            consider((resolve(point), next))
            consider(rangeAfter(point, next))
            consider(forDuration(point, next))
            consider(openIntervalOnDay(point, next))
        }
        if startsWithNumber(i), let (clock, next) = parseClock(i, cued: true) {
            // "3-4pm", "9-11am": a bare first hour is a time when the second one is.
            consider(rangeAfter(TimePoint(clock: clock), next, strictSecond: true))
        }
        consider(prefixedInterval(i))
        consider(openInterval(i))
        consider(durationInterval(i))
        consider(forDurationFirst(i))
        return best
    }

    // MARK: Points

    static let connectors: [DateWord] = [
        .on, .of, .the, .in, .de, .do, .da, .no, .na, .em, .for, .e, .and, .dia,
    ]

    /// One point in time from up to four pieces: "amanhã" "às 3" "da tarde", "Thursday" "8:00"
    /// "GMT", "monday" "morning".
    func parsePoint(_ i: Int) -> (TimePoint, Int)? {
        guard i < tokens.count else { return nil }
        if let cached = memo.slots[i].point { return cached }
        let result = computePoint(i)
        memo.slots[i].point = .some(result)
        return result
    }

    /// One piece of a point, found by `computePoint`.
    private enum Piece: Equatable {
        case none
        case clock(Clock)
        case period(DayPeriod, dayShift: Int?)
        case span(Span)
        case zone(Int)
    }

    private func computePoint(_ i: Int) -> (TimePoint, Int)? {
        var point = TimePoint()
        var j = i
        var end = i
        var periodWasBare = false
        while j < tokens.count {
            // The next piece may follow connectors ("amanhã, às 3", "monday of"); at most a few,
            // so the candidate starts are the range j...lastStart.
            var lastStart = j
            if end > i {
                while lastStart < tokens.count, isSymbol(lastStart, ",") || isWord(lastStart, in: Self.connectors) { lastStart += 1 }
            }
            var bestEnd = j
            // The longest piece found so far; a plain enum rather than a closure, which would
            // copy the grammar into a heap box for every candidate.
            var piece = Piece.none
            var bestBare = false
            for start in j...lastStart {
                if point.clock == nil, let (clock, next) = parseClock(start), next > bestEnd {
                    bestEnd = next
                    piece = .clock(clock)
                }
                if point.period == nil, let (period, next, bare, shift) = parsePeriod(start), next > bestEnd {
                    bestEnd = next
                    bestBare = bare
                    piece = .period(period, dayShift: shift)
                }
                if point.span == nil, let (span, next) = parseSpan(start), next > bestEnd {
                    bestEnd = next
                    piece = .span(span)
                }
                if point.clock != nil, point.zone == nil, let (zone, next) = zone(start), next > bestEnd {
                    bestEnd = next
                    piece = .zone(zone)
                }
            }
            switch piece {
            case .none: break
            case .clock(let clock): point.clock = clock
            case .period(let period, let shift):
                point.period = period
                if let shift, point.span == nil { point.span = Span(start: today.adding(days: shift), grain: .day) }
            case .span(let span): point.span = span
            case .zone(let zone): point.zone = zone
            }
            let progressed = piece != .none
            if progressed {
                if point.period != nil, bestBare { periodWasBare = true }
                j = bestEnd
                end = bestEnd
            }
            if !progressed { break }
            // "em 2 horas" takes no more pieces; "in 7 days" still takes a time ("at 5pm").
            if let span = point.span, span.grain < .hour { break }
        }
        if point.isEmpty { return nil }
        if point.span == nil, point.clock == nil, periodWasBare { return nil }
        return (point, end)
    }

    /// Zone abbreviations written after a time, as UTC offsets.
    func zone(_ i: Int) -> (Int, Int)? {
        var j = i
        let parenthesised = isSymbol(j, "(")
        if parenthesised { j += 1 }
        guard let text = word(j), let offset = Self.zoneOffsets[text] else { return nil }
        j += 1
        if parenthesised {
            guard isSymbol(j, ")") else { return nil }
            j += 1
        }
        return (offset, j)
    }

    static let zoneOffsets: [DateWord: Int] = [
            .gmt: 0, .utc: 0, .cet: 3600, .cest: 7200, .bst: 3600, .pst: -8 * 3600, .pdt: -7 * 3600,
            .cst: -6 * 3600, .cdt: -5 * 3600, .est: -5 * 3600, .edt: -4 * 3600, .mst: -7 * 3600,
            .mdt: -6 * 3600, .ist: 19800, .brt: -3 * 3600, .wet: 0, .eet: 7200,
    ]

    /// Applies a part of the day to an ambiguous hour: "3 da tarde" → 15:00, "12 da noite" → 0:00.
    func adjusted(_ clock: Clock, by period: DayPeriod?) -> Clock {
        guard var clock = Optional(clock), let period, clock.hour <= 12 else { return clock }
        switch period.meridiem {
        case .am:
            if clock.hour == 12 { clock.hour = 0 }
        case .pm:
            if clock.hour == 12 { if period.twelveIsMidnight { clock.hour = 24 } } else if clock.ambiguous || clock.hour < 12 { clock.hour += 12 }
        }
        clock.ambiguous = false
        return clock
    }

    /// The time a clock names on `day`, or, with no day, its next occurrence: an hour that has
    /// begun still counts ("at 4:23" at 4:30 is today), as in Duckling.
    func place(_ clock: Clock, on day: LocalDateTime?, zone: Int? = nil) -> LocalDateTime {
        // A time in another zone is the next one there ("as quatro CET").
        let now = zone.map { LocalDateTime(secondsSinceEpoch: self.now.secondsSinceEpoch - utcOffset + $0) } ?? self.now
        let today = now.date
        if let day {
            var hour = clock.hour
            // In Portuguese chat "amanhã às 3" means the afternoon.
            if clock.ambiguous, language == .pt, (1...6).contains(hour) { hour += 12 }
            return day.at(hour: hour, minute: clock.minute, second: clock.second)
        }
        var hours = [clock.hour]
        if clock.ambiguous { hours = clock.hour == 12 ? [12, 24] : [clock.hour, clock.hour + 12] }
        for hour in hours where hour >= now.hour {
            return today.at(hour: hour, minute: clock.minute, second: clock.second)
        }
        return today.adding(days: 1).at(hour: hours[0], minute: clock.minute, second: clock.second)
    }

    func resolve(_ point: TimePoint) -> ResolvedTime {
        if var clock = point.clock {
            clock = adjusted(clock, by: point.period)
            let day = point.span.map { $0.start.date }
            let grain = point.zone != nil ? TimeGrain.minute : clock.grain
            return .instant(place(clock, on: day, zone: point.zone), grain, zone: point.zone)
        }
        if let period = point.period {
            var day: LocalDateTime
            if let span = point.span {
                day = span.start.date
            } else {
                day = today
                if today.at(hour: period.end) <= now { day = today.adding(days: 1) }
            }
            return .interval(day.at(hour: period.start), day.at(hour: period.end), .hour)
        }
        let span = point.span!
        if let end = span.end { return .interval(span.start, end, span.grain) }
        return .instant(span.start, span.grain)
    }

    // MARK: Intervals

    /// Phrases that open an interval, longest first where one is a prefix of another.
    static let rangeOpenings: [[DateWord]] = [[.a, .partir, .de], [.a, .partir, .do], [.a, .partir, .da], [.a, .partir, .das], [.from], [.desde], [.de], [.do], [.das], [.da], [.later, .than]]
    static let portugueseAfter: [[DateWord]] = [[.depois, .de], [.depois, .do], [.depois, .da], [.depois, .das], [.depois, .dos], [.apos], [.a, .partir, .de], [.a, .partir, .do], [.a, .partir, .da], [.a, .partir, .das], [.desde]]
    static let portugueseBefore: [[DateWord]] = [[.antes, .de], [.antes, .do], [.antes, .da], [.antes, .das], [.ate], [.nao, .mais, .que], [.nao, .mais, .do, .que], [.no, .maximo, .ate], [.no, .maximo]]
    static let englishAfter: [[DateWord]] = [[.anytime, .after], [.after], [.since], [.from], [.later, .than], [.starting, .from]]
    static let englishBefore: [[DateWord]] = [[.sometimes, .before], [.before], [.until], [.untill], [.till], [.through], [.no, .later, .than], [.not, .later, .than]]

    static let rangeWords: [DateWord] = [.a, .ao, .ate, .to, .till, .til, .until, .untill, .thru, .through, .e, .and]

    /// "X - Y", "X to Y", "X até Y" after a point that was already read.
    func rangeAfter(_ first: TimePoint, _ i: Int, allowAnd: Bool = false, strictSecond: Bool = false) -> (ResolvedTime, Int)? {
        var j = i
        if isSymbol(j, "-") || isSymbol(j, "/") {
            j += 1
        } else if let text = word(j), Self.rangeWords.contains(text) {
            if (text == .e || text == .and) && !allowAnd { return nil }
            j += 1
            j = skip(j, [.o, .a, .as, .ao, .the])
        } else if let k = match(j, .but, .before) {
            j = k
        } else {
            return nil
        }
        guard let (second, next) = parsePoint(j) ?? (first.clock != nil && !strictSecond ? looseClockPoint(j) : nil) else { return nil }
        if strictSecond, second.clock == nil { return nil }
        guard let resolved = resolveRange(first, second) else { return nil }
        return (resolved, next)
    }

    func startsWithNumber(_ i: Int) -> Bool {
        number(i) != nil || cardinalWord(i) != nil
    }

    /// A bare hour where the context already says it is a time ("from 3 to 4pm", "8am until 6").
    func looseClockPoint(_ i: Int) -> (TimePoint, Int)? {
        guard startsWithNumber(i) || isWord(i, .meio) || isWord(i, .meia) || isWord(i, .noon) || isWord(i, .midnight),
              let (clock, next) = parseClock(i, cued: true) else { return nil }
        // "de 2 a 4 dias" counts days.
        if unit(next) != nil { return nil }
        return (TimePoint(clock: clock), next)
    }

    /// "amanhã depois das 15h": a day before an open interval of hours.
    func openIntervalOnDay(_ point: TimePoint, _ i: Int) -> (ResolvedTime, Int)? {
        guard point.clock == nil, point.period == nil, let span = point.span, span.grain == .day, span.end == nil,
              let (found, end) = openInterval(i), found.grain < .day else { return nil }
        var open = found
        guard let reference = open.from ?? open.to else { return nil }
        let delta = span.start.days - reference.days
        open.from = open.from?.adding(days: delta)
        open.to = open.to?.adding(days: delta)
        return (open, end)
    }

    func resolveRange(_ first: TimePoint, _ second: TimePoint) -> ResolvedTime? {
        var a = first, b = second
        if a.span == nil, let span = b.span, span.grain <= .day, a.clock != nil || a.period != nil { a.span = span }
        if b.span == nil, let span = a.span, span.grain <= .day, b.clock != nil || b.period != nil { b.span = span }
        if a.period == nil, a.clock != nil { a.period = b.period }
        if b.period == nil, b.clock != nil { b.period = a.period }
        if a.zone == nil { a.zone = b.zone }
        if b.zone == nil { b.zone = a.zone }
        if var clockA = a.clock, let clockB = b.clock {
            // "3-4pm": the first hour takes the second's afternoon.
            if clockA.ambiguous, !clockB.ambiguous, clockB.hour > 12, clockA.hour + 12 <= clockB.hour, a.period == nil {
                clockA.hour += 12
                clockA.ambiguous = false
                a.clock = clockA
            } else if clockA.ambiguous, !clockB.ambiguous, clockB.hour <= 12, a.period == nil {
                clockA.ambiguous = false
                a.clock = clockA
            }
        }
        let from = resolve(a)
        guard let start = from.from else { return nil }
        var to: ResolvedTime
        if var clockB = b.clock, a.clock != nil, second.span == nil || first.span == nil {
            clockB = adjusted(clockB, by: b.period)
            var end = start.date.at(hour: clockB.hour, minute: clockB.minute, second: clockB.second)
            if clockB.ambiguous, end < start, clockB.hour < 12 { end = end.at(hour: clockB.hour + 12, minute: clockB.minute, second: clockB.second) }
            if end < start { end = end.adding(days: 1) }
            to = .instant(end, clockB.grain, zone: b.zone)
        } else {
            to = resolve(b)
        }
        guard var endStart = to.from else { return nil }
        let grain = min(from.grain, to.grain)
        var end: LocalDateTime
        if to.isInterval, let closing = to.to {
            end = closing
        } else {
            end = endStart.adding(1, grain)
        }
        // "21 de dezembro a 6 de janeiro": the end is after the start.
        while end <= start, to.grain >= .day {
            endStart = endStart.adding(1, .year)
            end = end.adding(1, .year)
        }
        guard end > start else { return nil }
        return .interval(start, end, grain, zone: from.zone)
    }

    /// "entre 14h e 16h", "between 3:30pm and 6 pm", "from 2 to 4pm", "de 13 a 15 de julho",
    /// "desde 13 até 15 Julho", "a partir do primeiro trimestre até o terceiro",
    /// "Thursday from 9:30 to 11:00", "later than 3:30pm but before 6pm".
    func prefixedInterval(_ i: Int) -> (ResolvedTime, Int)? {
        var j = i
        var sharedDay: TimePoint?
        // A leading day shared by both ends.
        if let (point, next) = parsePoint(j), point.clock == nil, point.period == nil, let span = point.span, span.grain == .day {
            if isWord(next, in: [.from, .between, .de, .entre, .das, .in]) {
                sharedDay = point
                j = next
                if isWord(j, .in) {
                    guard isWord(j + 1, .between) else { return nil }
                    j += 1
                }
            } else if let (clock, afterClock) = parseClock(next, cued: true), startsWithNumber(next),
                      let (range, end) = rangeAfter(TimePoint(span: span, clock: clock), afterClock, strictSecond: true) {
                return (range, end)
            }
        }
        var allowAnd = false
        if let k = match(j, .entre) ?? match(j, .between) {
            j = k
            allowAnd = true
        } else if let k = match(j, anyOf: Self.rangeOpenings) {
            j = k
        } else {
            return nil
        }
        j = skip(j, [.o, .a, .as, .the])
        if let result = dayRange(j) { return result }
        var found: (ResolvedTime, Int)?
        for candidate in [parsePoint(j), looseClockPoint(j)] {
            guard let (parsed, next) = candidate else { continue }
            var first = parsed
            if let span = sharedDay?.span, first.span == nil { first.span = span }
            guard let range = rangeAfter(first, next, allowAnd: allowAnd) else { continue }
            if found == nil || range.1 > found!.1 { found = range }
        }
        guard var (resolved, end) = found else { return nil }
        // A day written after the range: "9:30 - 11:00 on Thursday".
        if sharedDay == nil, let (trailing, next) = trailingDay(end), var from = resolved.from, var to = resolved.to {
            let delta = trailing.days - from.days
            from = from.adding(days: delta)
            to = to.adding(days: delta)
            resolved.from = from
            resolved.to = to
            end = next
        }
        return (resolved, end)
    }

    private func trailingDay(_ i: Int) -> (LocalDateTime, Int)? {
        var j = i
        if isWord(j, .on) || isWord(j, .no) || isWord(j, .na) || isSymbol(j, ",") { j += 1 }
        guard let (span, next) = parseSpan(j), span.grain == .day, span.end == nil else { return nil }
        return (span.start, next)
    }

    /// Day ranges in one month: "13 a 15 de julho", "13-15 Julho", "from the 13th to the 15th of
    /// July", "July 13-15", "August 27th - 29th", "1-8 september".
    func dayRange(_ i: Int) -> (ResolvedTime, Int)? {
        var j = skip(i, [.the, .o, .dia, .dias])
        // Month first: "July 13-15", "August 27th - 29th", "July 13 to 15".
        if let (month, afterMonth) = month(j, allowAbbreviation: true), let (first, afterFirst) = dayOfMonth(afterMonth) {
            var k = afterFirst
            guard isSymbol(k, "-") || isWord(k, in: [.to, .thru, .through, .till, .a, .ate]) else { return nil }
            k += 1
            guard let (last, end) = dayOfMonth(k), last > first else { return nil }
            var k2 = end
            var year: Int?
            if let (value, after) = trailingYear(k2), trailingYearIsReal(k2) { year = value; k2 = after }
            return resolveDayRange(first, last, month: month, year: year, end: k2)
        }
        guard let (first, afterFirst) = dayOfMonth(j), number(j) != nil || language == .en else { return nil }
        j = afterFirst
        guard isSymbol(j, "-") || isWord(j, in: [.a, .ao, .ate, .to, .thru, .through, .till]) else { return nil }
        j += 1
        j = skip(j, [.the, .o, .dia])
        guard let (last, afterLast) = dayOfMonth(j), last > first else { return nil }
        j = afterLast
        if language == .pt { if isWord(j, .de) { j += 1 } } else { j = skip(j, [.of]) }
        guard let (month, afterMonth) = month(j, allowAbbreviation: true) else { return nil }
        j = afterMonth
        var year: Int?
        if let (value, after) = trailingYear(j), trailingYearIsReal(j) { year = value; j = after }
        return resolveDayRange(first, last, month: month, year: year, end: j)
    }

    private func resolveDayRange(_ first: Int, _ last: Int, month: Int, year: Int?, end: Int) -> (ResolvedTime, Int)? {
        var year = year ?? now.year
        if LocalDateTime.isValid(year: year, month: month, day: last), LocalDateTime(year: year, month: month, day: last) < today, end > 0, year == now.year {
            year += 1
        }
        guard LocalDateTime.isValid(year: year, month: month, day: first), LocalDateTime.isValid(year: year, month: month, day: last) else { return nil }
        let start = LocalDateTime(year: year, month: month, day: first)
        return (.interval(start, LocalDateTime(year: year, month: month, day: last).adding(days: 1), .day), end)
    }

    /// "depois das 15h", "após o meio-dia", "antes do meio-dia", "até a meia-noite",
    /// "after 2 pm", "since 2014", "before 11 am", "until 2:00pm", "by 2pm", "by EOM", "ASAP",
    /// "dentro de 3 horas", "within 2 weeks", "after 5 days".
    func openInterval(_ i: Int) -> (ResolvedTime, Int)? {
        var j = i
        enum Side { case after, before, by }
        var side: Side
        if language == .pt {
            if let k = match(j, anyOf: Self.portugueseAfter) {
                side = .after
                j = k
            } else if let k = match(j, anyOf: Self.portugueseBefore) {
                side = .before
                j = k
            } else if let k = match(j, .dentro, .de) {
                guard let ((amount, unit), next) = duration(k) else { return nil }
                return (.interval(now, now.adding(amount, unit).truncated(to: unit.finerForShift), .second), next)
            } else {
                return nil
            }
            j = skip(j, [.o, .a, .as, .os, .ao, .aos])
        } else {
            if let k = match(j, .asap) ?? match(j, .as, .soon, .as, .possible) { return (.interval(now, nil, .second), k) }
            if let k = match(j, .within) {
                guard let ((amount, unit), next) = duration(k) else { return nil }
                return (.interval(now, now.adding(amount, unit).truncated(to: unit.finerForShift), .second), next)
            }
            if let k = match(j, anyOf: Self.englishAfter) {
                side = .after
                j = k
            } else if let k = match(j, anyOf: Self.englishBefore) {
                side = .before
                j = k
            } else if let k = match(j, .by) {
                side = .by
                j = k
            } else {
                return nil
            }
        }
        if side == .after, let ((amount, unit), next) = duration(j), language == .en {
            let grain = unit.finerForShift
            return (.interval(now.adding(amount, unit).truncated(to: grain), nil, grain), next)
        }
        if side == .by, let (span, next) = parseSpan(j), span.isBoundary, let end = span.end {
            return (.interval(now, end, .second), next)
        }
        if side != .by, let (year, next) = year(j) {
            let start = LocalDateTime(year: year, month: 1, day: 1)
            return (side == .after ? .interval(start, nil, .year) : .interval(nil, start, .year), next)
        }
        var parsed = parsePoint(j)
        // "depois das 17", "antes das 9": after "das"/"as" a bare hour is a time, as in "às 17".
        // Not when a plural noun follows: "depois das 3 sessões" counts sessions.
        if parsed == nil, language == .pt, side != .by, isWord(j - 1, in: [.das, .as]), let (clock, next) = parseClock(j, cued: true), clock.grain == .hour,
            !(spelling(next).count > 2 && spelling(next).hasSuffix("s") && parsePeriod(next) == nil) {
            parsed = (TimePoint(clock: clock), next)
        }
        guard let (point, next) = parsed else { return nil }
        if side == .after, isWord(i, .from), let result = forDuration(point, next) { return result }
        let resolved = resolve(point)
        switch side {
        case .after:
            return (.interval(resolved.from, nil, resolved.grain, zone: resolved.zone), next)
        case .before:
            return (.interval(nil, resolved.from, resolved.grain, zone: resolved.zone), next)
        case .by:
            return (.interval(now, resolved.from, .second, zone: resolved.zone), next)
        }
    }

    /// "próximos 3 dias", "últimos 2 meses", "3 semanas que vem", "2 minutos atrás",
    /// "next 3 hours", "last 2 weeks", "next few days".
    func durationInterval(_ i: Int) -> (ResolvedTime, Int)? {
        var j = i
        var direction = 0
        func modifier(_ k: Int) -> (Int, Int)? {
            if language == .pt {
                if isWord(k, in: [.proximos, .proximas, .proximo, .proxima]) { return (1, k + 1) }
                if isWord(k, in: [.ultimos, .ultimas, .passados, .passadas, .anteriores]) { return (-1, k + 1) }
            } else {
                if isWord(k, .next) { return (1, k + 1) }
                if isWord(k, in: [.last, .past, .previous]) { return (-1, k + 1) }
            }
            return nil
        }
        if let (value, k) = modifier(j) { direction = value; j = k }
        guard let (amount, afterCount) = count(j), !(amount == 1 && direction == 0) else { return nil }
        j = afterCount
        if direction == 0, let (value, k) = modifier(j) { direction = value; j = k }
        guard let text = word(j), let unit = unit(j), text != .h, text != .hs else { return nil }
        j += 1
        if direction == 0, language == .pt {
            if let k = match(j, .que, .vem) ?? match(j, .seguintes) ?? match(j, .proximos) ?? match(j, .proximas) { direction = 1; j = k }
            else if let k = match(j, .anteriores) ?? match(j, .passados) ?? match(j, .passadas) ?? match(j, .atras) { direction = -1; j = k }
        }
        guard direction != 0 else { return nil }
        let base = now.truncated(to: unit)
        if direction > 0 {
            let start = base.adding(1, unit)
            return (.interval(start, start.adding(amount, unit), unit), j)
        }
        return (.interval(base.adding(-amount, unit), base, unit), j)
    }

    /// "from 18th Dec for 10 days", "4pm for 30 mins".
    func forDuration(_ point: TimePoint, _ i: Int) -> (ResolvedTime, Int)? {
        guard isWord(i, .for) || isWord(i, .por), let ((amount, unit), next) = duration(i + 1) else { return nil }
        let resolved = resolve(point)
        guard let start = resolved.from, !resolved.isInterval else { return nil }
        let grain = min(resolved.grain, unit)
        return (.interval(start, start.adding(amount, unit).adding(1, grain), grain), next)
    }

    /// "for 10 days from 18th Dec", "for 30' starting from 4pm".
    func forDurationFirst(_ i: Int) -> (ResolvedTime, Int)? {
        guard isWord(i, .for), let ((amount, unit), next) = duration(i + 1) else { return nil }
        var j = next
        if let k = match(j, .starting, .from) ?? match(j, .from) { j = k } else { return nil }
        guard let (point, end) = parsePoint(j) else { return nil }
        let resolved = resolve(point)
        guard let start = resolved.from, !resolved.isInterval else { return nil }
        let grain = min(resolved.grain, unit)
        return (.interval(start, start.adding(amount, unit).adding(1, grain), grain), end)
    }
}

/// Holidays: "Natal", "thanksgiving 2014", "last easter", "Ramadan 2018", "MLK day of last year",
/// "thanksgiving in 9 months".
extension DateGrammar {
    func holiday(_ i: Int) -> (Span, Int)? {
        var j = i
        var which = 0
        if language == .en {
            if isWord(j, .next) || isWord(j, .this) { j += 1 } else if isWord(j, .last) { which = -1; j += 1 } else if isWord(j, .the) { j += 1 }
            if isWord(j, .the) { j += 1 }
        } else {
            if isWord(j, in: [.proximo, .proxima, .este, .esta, .neste, .nesta, .no, .na, .o, .a]) { j += 1 } else if isWord(j, in: [.ultimo, .ultima]) { which = -1; j += 1 }
        }
        guard let (holiday, afterName) = holidayName(j) else { return nil }
        j = afterName
        var explicitYear: Int?
        var anchor = today
        if let (value, next) = year(j) ?? (isWord(j, .de) || isWord(j, .in) || isWord(j, .of) ? year(j + 1) : nil) {
            explicitYear = value
            j = next
        } else if let k = match(j, .of, .next, .year) ?? match(j, .do, .ano, .que, .vem) ?? match(j, .do, .proximo, .ano) {
            explicitYear = now.year + 1
            j = k
        } else if let k = match(j, .of, .last, .year) ?? match(j, .do, .ano, .passado) {
            explicitYear = now.year - 1
            j = k
        } else if let k = match(j, .of, .this, .year) ?? match(j, .deste, .ano) ?? match(j, .desse, .ano) {
            explicitYear = now.year
            j = k
        } else if let (span, next) = shift(j), span.grain <= .month {
            anchor = span.start.date
            j = next
        }
        if let explicitYear {
            guard let (start, end) = holiday.days(in: explicitYear) else { return nil }
            return (Span(start: start, grain: .day, end: end), j)
        }
        // The next one from the anchor (today counts), or the last one before today.
        if which == -1 {
            for year in stride(from: anchor.year, through: anchor.year - 2, by: -1) {
                if let (start, end) = holiday.days(in: year), start < anchor { return (Span(start: start, grain: .day, end: end), j) }
            }
            return nil
        }
        for year in anchor.year...(anchor.year + 2) {
            if let (start, end) = holiday.days(in: year), start >= anchor { return (Span(start: start, grain: .day, end: end), j) }
        }
        return nil
    }

    private func holidayName(_ i: Int) -> (Holiday, Int)? {
        guard i < tokens.count, tokens[i].entry >= 0, DateLexicon.entries[Int(tokens[i].entry)].startsHoliday,
              let candidates = HolidayNames.byFirstEntry[tokens[i].entry] else { return nil }
        for candidate in candidates {
            var j = i
            var matched = true
            for entry in candidate.entries {
                while isSymbol(j, "-") || isSymbol(j, ".") { j += 1 }
                guard j < tokens.count, tokens[j].kind == .word, tokens[j].entry == entry else { matched = false; break }
                j += 1
            }
            if matched {
                if isSymbol(j, "."), isWord(j - 1, .jr) { j += 1 }
                return (HolidayNames.all[candidate.holiday], j)
            }
        }
        return nil
    }
}
