import LeadsCore

public enum LeadsMain {
    /// Runs one invocation and returns the process exit status.
    public static func run(_ arguments: [String]) -> Int32 {
        0
    }
}
