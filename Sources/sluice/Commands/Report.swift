import ArgumentParser
import SluiceCore
import SluiceEngine

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a run's report as Markdown and self-contained HTML (charts as inline SVG).",
        discussion: """
            RUN_DIR is a run folder holding report.json (and batches.jsonl for a streaming run), \
            e.g. .sluice/events/runs/20260101T120000Z; a pipeline's state folder (.sluice/events) \
            means its latest run. Writes report.md and report.html into the run folder. Every run \
            writes them at its end too; this re-renders them.
            """)

    @Argument(help: "The run folder (or a pipeline's state folder for its latest run).")
    var runDir: String

    func run() throws {
        var dir = runDir
        if !FileIO.exists(FileIO.join(dir, "report.json")) {
            let runs = FileIO.join(dir, "runs")
            let latest = ((try? FileIO.listDirectory(runs)) ?? []).filter { FileIO.exists(FileIO.join(FileIO.join(runs, $0), "report.json")) }.max()
            guard let l = latest else { throw Failure.exit(SluiceError.io(path: runDir, message: "no report.json here or in runs/*")) }
            dir = FileIO.join(runs, l)
        }
        do {
            try ReportRenderer.write(runDirectory: dir)
        } catch {
            throw Failure.exit(error)
        }
        FileHandleLite.standardOutput.write("\(FileIO.join(dir, "report.md"))\n\(FileIO.join(dir, "report.html"))\n")
    }
}
