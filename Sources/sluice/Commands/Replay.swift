import ArgumentParser
import SluiceCore
import SluiceEngine

struct Replay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Re-submit dead-letter rows (after fixing them) through a pipeline's transforms and sink.",
        discussion: """
            Edit the rows' "values" in a copy of the dead-letter file, then replay it: the rows \
            are validated and transformed again and the valid ones written to the pipeline's sink. \
            Rows still invalid go to .sluice/<name>-replay/dead-letter.jsonl. The replay runs as \
            pipeline <name>-replay with its own ledger entries, so replaying the same file twice \
            writes its rows once and the main pipeline's checkpoints are untouched. \
            Example: sluice replay fixed.jsonl --pipeline examples/events-streaming.yml
            """)

    @Argument(help: "The dead-letter file (JSON lines with a \"values\" object each).")
    var deadLetter: String

    @Option(help: "The pipeline whose transforms and sink the rows go through.")
    var pipeline: String

    @Flag(help: "Print nothing but errors.")
    var quiet = false

    func run() async throws {
        do {
            let prepared = try DeadLetterReplay.prepare(deadLetter: deadLetter, pipeline: try PipelineConfig.load(path: pipeline))
            if !quiet { FileHandleLite.standardError.write("replaying \(prepared.rows) rows from \(deadLetter) (as \(prepared.file))\n") }
            try await RunDriver.execute(prepared.plan, RunOptions(), quiet: quiet)
        } catch let e as ExitCode {
            throw e
        } catch {
            throw Failure.exit(error)
        }
    }
}
