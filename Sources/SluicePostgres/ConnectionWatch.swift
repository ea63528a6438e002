import NIOCore
import Synchronization

/// Sits at the tail of a connection's channel pipeline and records the first sign that the
/// connection is going away: a close asked of the channel, an error that postgres-nio's handler
/// passes on, or the channel going inactive.
///
/// Implementation note: these are exactly the events on which postgres-nio's state machine leaves
/// its query state (see `CopyLink` for why that matters). Its handler forwards an error towards
/// the tail only when it tears the connection down, and before it closes the channel; a close
/// started by the client enters the pipeline at the tail, so it passes here before the handler
/// sees it; a server that hangs up fires `channelInactive`. Each is recorded in the same
/// event-loop turn as the state change.
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
