import ArgumentParser
import SluiceEngine

/// Runs a planned pipeline the way every command does: in a task that SIGINT/SIGTERM cancel,
/// with the summary on stderr and exit code 130 when it was stopped.
enum RunDriver {
    static func execute(_ plan: PipelinePlan, _ options: RunOptions, quiet: Bool, after: (RunReport) -> Void = { _ in }) async throws {
        let runner = PipelineRunner(plan: plan, options: options)
        let task = Task { try await runner.run() }
        let signals = SignalCancellation { task.cancel() }
        defer { signals.cancel() }
        let report = try await task.value
        after(report)
        if !quiet { FileHandleLite.standardError.write(report.summary + "\n") }
        if report.status == "cancelled" { throw ExitCode(130) }
    }
}
