import NIOCore
import Synchronization

/// Sits at the tail of a connection's channel pipeline and records the first sign that the
/// connection is going away: a close asked of the channel, an error that postgres-nio's handler
/// passes on, or the channel going inactive.
///
/// Implementation note: postgres-nio 1.33.2 traps (a `preconditionFailure`) when its COPY writer
/// is called once its state machine has left the query state, which it does on exactly these
/// events. Its handler forwards an error towards the tail only when it tears the connection down
/// (and before it closes the channel); a close started by the client enters the pipeline at the
/// tail, so it passes here before the handler sees it; and a server that hangs up fires
/// `channelInactive`. Each event is recorded in the same event-loop turn as the state change, so
/// code running on the event loop that finds `hasEnded` false knows the writer is still safe to
/// call until it suspends.
final class ConnectionWatch: ChannelDuplexHandler, Sendable {
    typealias InboundIn = Never
    typealias OutboundIn = Never

    private let ended = Atomic<Bool>(false)

    init() {}

    /// Whether the connection has begun to close (or failed); never reset.
    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        ended.store(true, ordering: .releasing)
        context.close(mode: mode, promise: promise)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        ended.store(true, ordering: .releasing)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        ended.store(true, ordering: .releasing)
        context.fireChannelInactive()
    }
}

/// Runs a task's jobs on one event loop, so that code awaiting a connection's operations runs in
/// the same thread and turn as the connection's own handlers: a check made there cannot be
/// overtaken by an event before the next call into the connection.
final class EventLoopTaskExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
