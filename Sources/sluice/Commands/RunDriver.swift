import ArgumentParser
import SluiceCore
import SluiceEngine

/// Runs a planned pipeline the way every command does: in a task that SIGINT/SIGTERM cancel (a
/// watched folder: stop after the current batch), with the summary on stderr and exit code 130
/// when it was cancelled.
enum RunDriver {
    static func execute(
        _ plan: PipelinePlan, _ options: RunOptions, quiet: Bool, streaming: StreamingOptions = StreamingOptions(),
        after: (RunReport) -> Void = { _ in }
    ) async throws {
        let report: RunReport
        if StreamingRunner.applies(to: plan) {
            let runner = try StreamingRunner(plan: plan, options: options, streaming: streaming)
            let task = Task { try await runner.run() }
            let signals = SignalCancellation { runner.requestStop() }
            defer { signals.cancel() }
            report = try await task.value
        } else {
            let runner = PipelineRunner(plan: plan, options: options)
            let task = Task { try await runner.run() }
            let signals = SignalCancellation { task.cancel() }
            defer { signals.cancel() }
            report = try await task.value
            // The Markdown and HTML renderings sit beside report.json; a failure there is not the run's.
            if let path = report.reportPath {
                do { try ReportRenderer.write(runDirectory: FileIO.dirname(path)) } catch {
                    if !quiet { FileHandleLite.standardError.write("warning: \(error.description)\n") }
                }
            }
        }
        after(report)
        if !quiet { FileHandleLite.standardError.write(report.summary + "\n") }
        if report.status == "cancelled" { throw ExitCode(130) }
    }

    /// A one-shot command's run (`load`, `convert`): all of the input, with the progress line on a
    /// terminal, and no dead-letter file left behind when nothing was rejected.
    static func executeOnce(_ plan: PipelinePlan, workers: Int?, fullRefresh: Bool = false, quiet: Bool) async throws {
        var run = RunOptions()
        run.fullRefresh = fullRefresh
        run.workers = workers
        run.progress = !quiet && ProgressLineTerminal.isTerminal
        try await execute(plan, run, quiet: quiet) { report in
            if report.rejectedToDeadLetter == 0 { FileIO.remove(plan.deadLetterPath) }
        }
    }
}
