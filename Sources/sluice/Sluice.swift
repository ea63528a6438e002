import ArgumentParser
import SluiceEngine

@main
struct Sluice: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "Move data from files, APIs and watched folders into Parquet, SQLite, PostgreSQL, CSV and JSONL: typed, validated, transformed, resumable.",
        discussion: """
            A pipeline file names one source, a list of transforms and one sink (see docs/pipelines.md). \
            `sluice run` commits work split by split, so a re-run after a crash or Ctrl-C continues \
            where it stopped and never writes a row twice.

            Quick start:
              sluice generate telecom --rows 1000000 --out data/telecom/telecom.csv
              sluice run examples/telecom-to-sqlite.yml
              sluice inspect --stats data/telecom/telecom.csv
            """,
        version: SluiceVersion.string,
        subcommands: [Run.self, Validate.self, Inspect.self, Cat.self, Convert.self, Generate.self, ServeMock.self, Load.self, Worker.self, Report.self, Replay.self]
    )
}
