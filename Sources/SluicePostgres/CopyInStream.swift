import Logging
import PostgresNIO
import SluiceCore
import Synchronization

/// A `COPY ... FROM STDIN` fed chunk by chunk from outside: postgres-nio's `copyFrom` wants a
/// closure that produces all the data, while a sink receives its batches one call at a time.
/// The closure runs in a task of its own, on the connection's event loop (see `CopyLink`), and
/// takes chunks from a stream; `send` returns once its chunk was handed to the socket (so memory
/// stays bounded and a server error surfaces at the next `send` or at `finish`).
public final class CopyInStream: Sendable {
    /// Raised at `send` after the COPY has already ended.
    struct Ended: Error, CustomStringConvertible {
        var description: String { "the COPY ended early" }
    }

    final class Handoff: Sendable {
        struct State {
            var outstanding: CheckedContinuation<Void, any Error>?
            var ended: (any Error)?
        }
        let state = Mutex(State())
        /// How the COPY ended, once it has.
        let done = OneShot<Void>()

        /// The COPY is over (first call wins): wake whoever waits for its outcome.
        func complete(_ result: Result<Void, any Error>) { done.settle(result) }

        /// Waits for `complete`.
        func outcome() async throws { try await done.value() }

        /// The chunk in flight was written (or failed): wake its sender.
        func settle(_ error: (any Error)?) {
            let c = state.withLock { s in
                defer { s.outstanding = nil }
                return s.outstanding
            }
            if let e = error { c?.resume(throwing: e) } else { c?.resume() }
        }

        /// The COPY is over: later sends fail at once, and a waiting sender is woken.
        func end(_ error: any Error) {
            let c = state.withLock { s in
                if s.ended == nil { s.ended = error }
                defer { s.outstanding = nil }
                return s.outstanding
            }
            c?.resume(throwing: error)
        }
    }

    /// Raised instead of writing a chunk on a connection that has closed.
    struct Closed: Error, CustomStringConvertible {
        var description: String { "the connection closed during the COPY" }
    }

    /// Raised when a chunk or the COPY's end made no progress for `stallLimit`.
    struct Stalled: Error, CustomStringConvertible {
        var description: String { "the COPY made no progress for \(CopyInStream.stallLimit); the connection was closed" }
    }

    /// How long one chunk, or the end of the COPY, may take before the connection is presumed
    /// dead. Implementation note: after a backend was terminated mid-load, a COPY on the new
    /// connection was seen, rarely, to wait forever (the server idle in ClientRead, the client
    /// awaiting); closing the connection turns that into an ordinary lost connection, which the
    /// loader retries.
    static let stallLimit: Duration = .seconds(30)

    let input: AsyncStream<ByteBuffer>.Continuation
    let handoff = Handoff()
    let task: Task<Void, any Error>
    let connection: PostgresConnection

    init(connection: PostgresConnection, watch: ConnectionWatch, executor: EventLoopTaskExecutor,
         table: PostgresTableName, columns: [String], binary: Bool, logger: Logger) {
        let (stream, input) = AsyncStream<ByteBuffer>.makeStream()
        self.input = input
        self.connection = connection
        let handoff = self.handoff
        var target = table.copyFromName
        var names = columns.map { PostgresIdentifier($0).copyFromName }
        if binary {
            // Implementation note: postgres-nio 1.33.2 only builds `COPY "t"(...) FROM STDIN WITH
            // (FORMAT text)`, splicing the name between quotes. The statement is completed here
            // (every identifier quoted by us) and the library's tail is turned into a comment;
            // its state machine accepts a binary CopyInResponse. If the library ever quotes the
            // name properly, this fails loudly as a syntax error at the first COPY.
            let cols = columns.map { PostgresIdentifier($0).quoted }.joined(separator: ", ")
            target += "\" (\(cols)) FROM STDIN WITH (FORMAT binary) --"
            names = []
        }
        let link = CopyLink(connection: connection, watch: watch)
        // Every call into the writer, and the return or throw after which `copyFrom` calls
        // `done` or `failed` on it, runs on the connection's event loop right after `link` found
        // the connection whole, with no suspension in between (see `CopyLink`).
        task = Task(executorPreference: executor) {
            do {
                try await connection.copyFrom(table: target, columns: names, logger: logger) { writer in
                    do {
                        for await chunk in stream {
                            try await link.ensureWhole()
                            try await writer.write(chunk)
                            handoff.settle(nil)
                        }
                        // A cancelled task ends the stream early: fail the COPY rather than complete it.
                        try Task.checkCancellation()
                    } catch {
                        handoff.settle(error)
                        await link.settleIfBroken()
                        throw error
                    }
                    try await link.ensureWhole()
                }
                handoff.end(Ended())
                handoff.complete(.success(()))
            } catch {
                handoff.end(error)
                handoff.complete(.failure(error))
                throw error
            }
        }
    }

    /// Ends the operation it guards with an error when its connection closes under it, or
    /// closes the connection when the operation outlives `stallLimit`.
    private func watchdog() -> Task<Void, Never> {
        let (handoff, connection) = (self.handoff, self.connection)
        return Task {
            guard let why = await watch(connection, for: Self.stallLimit) else { return }
            // Not waiting for the COPY's task: postgres-nio 1.33.2's copyFrom was seen to leak
            // its continuation when the connection died as the COPY started, so that task may
            // never end. The waiters are released through the handoff instead.
            let error: any Error = why == .connectionClosed ? Closed() : Stalled()
            handoff.end(error)
            handoff.complete(.failure(error))
            if why == .limitPassed { try? await connection.close() }
        }
    }

    /// Sends one CopyData message; waits until it was written.
    public func send(_ chunk: ByteBuffer) async throws {
        let w = watchdog()
        defer { w.cancel() }
        try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
            let ended = handoff.state.withLock { s -> (any Error)? in
                if let e = s.ended { return e }
                s.outstanding = c
                return nil
            }
            if let e = ended {
                c.resume(throwing: e)
            } else {
                input.yield(chunk)
            }
        }
    }

    /// Ends the data (CopyDone) and waits for the server's verdict.
    public func finish() async throws {
        let w = watchdog()
        defer { w.cancel() }
        input.finish()
        try await handoff.outcome()
    }

    /// Stops feeding a COPY whose connection is being closed anyway; does not wait for it.
    public func abandon() {
        input.finish()
        task.cancel()
    }

    /// Abandons the COPY (CopyFail) and waits until the connection is out of copy mode.
    public func cancel() async {
        let w = watchdog()
        defer { w.cancel() }
        input.finish()
        task.cancel()
        _ = try? await handoff.outcome()
    }
}
