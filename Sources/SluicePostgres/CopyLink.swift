import NIOCore
import PostgresNIO

/// The one place a COPY asks whether postgres-nio's writer may still be called.
///
/// Implementation note: postgres-nio 1.33.2 traps when `PostgresCopyFromWriter.write`, `done` or
/// `failed` runs after its state machine left the query state, i.e. once the connection began to
/// close, and while its handler is still in the pipeline. The trap was hit in CI when a backend
/// was terminated between a check of `isClosed` on another thread and the write on the event
/// loop. So the COPY's task runs on the connection's event loop (`EventLoopTaskExecutor`), where
/// `isWhole` is exact for as long as the task does not suspend, and where `write`, `done` and
/// `failed` run at once instead of hopping; a broken connection is waited on until its handlers
/// are removed, after which the writer fails with an error instead.
struct CopyLink: Sendable {
    let connection: PostgresConnection
    let watch: ConnectionWatch

    /// Whether the writer may be called; exact only on the connection's event loop.
    var isWhole: Bool {
        connection.eventLoop.assertInEventLoop()
        return !watch.hasEnded && !connection.isClosed
    }

    /// Returns without suspending while the connection is whole; otherwise waits until it is
    /// fully closed and throws `CopyInStream.Closed`.
    func ensureWhole() async throws {
        if isWhole { return }
        await settle()
        throw CopyInStream.Closed()
    }

    /// Waits until a broken connection is fully closed; returns at once on a whole one.
    func settleIfBroken() async {
        if !isWhole { await settle() }
    }

    /// Closes what is left of the connection (a no-op if it is closing already) and waits until
    /// its channel has removed its handlers.
    private func settle() async {
        let _: EventLoopFuture<Void> = connection.close()
        try? await connection.closeFuture.get()
    }
}
