/// Keeps identifiers useful in logs without writing whole phone numbers or chat ids.
public enum Redaction {
    /// `5511999998888` becomes `…8888`; short ids are masked entirely.
    public static func identifier(_ value: String) -> String {
        guard value.count > 4 else { return "…" }
        return "…" + value.suffix(4)
    }
}
