import AtendeUnderstanding

/// Brazil's national holidays, the days a business that closes on holidays is closed. Carnaval
/// is officially an optional day off, but nearly every small business closes; a business that
/// opens lists the days under `open`.
public enum BrazilianHolidays {
    static let fixed: [(month: Int, day: Int, name: String, since: Int)] = [
        (1, 1, "Confraternização Universal", 0),
        (4, 21, "Tiradentes", 0),
        (5, 1, "Dia do Trabalho", 0),
        (9, 7, "Independência do Brasil", 0),
        (10, 12, "Nossa Senhora Aparecida", 0),
        (11, 2, "Finados", 0),
        (11, 15, "Proclamação da República", 0),
        // A national holiday since Law 14.759 of December 2023.
        (11, 20, "Dia da Consciência Negra", 2024),
        (12, 25, "Natal", 0),
    ]

    /// Days after Easter Sunday.
    static let movable: [(offset: Int, name: String)] = [
        (-48, "Carnaval"),
        (-47, "Carnaval"),
        (-2, "Sexta-feira Santa"),
        (60, "Corpus Christi"),
    ]

    public static func holidays(in year: Int) -> [(day: CivilDay, name: String)] {
        let easter = WesternEaster.monthAndDay(year: year)
        let easterDay = CivilDay(year: year, month: easter.month, day: easter.day)
        let fixedDays = fixed.filter { year >= $0.since }.map { (CivilDay(year: year, month: $0.month, day: $0.day), $0.name) }
        let movableDays = movable.map { (easterDay.adding(days: $0.offset), $0.name) }
        return (fixedDays + movableDays).sorted { $0.0 < $1.0 }.map { (day: $0.0, name: $0.1) }
    }

    public static func holiday(on day: CivilDay) -> String? {
        holidays(in: day.year).first { $0.day == day }?.name
    }
}
