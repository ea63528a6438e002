import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT and SIGTERM into a cancellation callback (the run stops cleanly: the split being
/// committed is rolled back, committed ones stay). A second signal exits at once.
public final class SignalCancellation: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private let queue = DispatchQueue(label: "sluice.signals")
    private var fired = false

    public init(_ onSignal: @escaping @Sendable () -> Void) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { [weak self] in
                guard let self else { return }
                if self.fired { _exit(130) }
                self.fired = true
                StandardError.write("\nstopping: finishing the current commit (signal again to exit at once)\n")
                onSignal()
            }
            s.resume()
            sources.append(s)
        }
    }

    public func cancel() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

/// Whether stderr is a terminal, for the CLI's progress decision.
public enum ProgressLineTerminal {
    public static var isTerminal: Bool { isatty(2) != 0 }
}
