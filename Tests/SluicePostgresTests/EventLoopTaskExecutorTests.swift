import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import SluicePostgres

/// What `CopyLink` relies on: a task that prefers an `EventLoopTaskExecutor` runs on the loop,
/// and a call into a nonisolated async function (postgres-nio's writer, `copyFrom`) that does not
/// suspend, with its return or throw, is not overtaken by a job queued on the loop meanwhile.
@Suite struct EventLoopTaskExecutorTests {
    final class Flag: Sendable {
        let raised = Atomic<Bool>(false)
        func raise() { raised.store(true, ordering: .releasing) }
        var isRaised: Bool { raised.load(ordering: .acquiring) }
    }

    struct Thrown: Error {}

    nonisolated static func returnsAtOnce(_ x: Int) async -> Int { x + 1 }
    nonisolated static func throwsAtOnce() async throws { throw Thrown() }
    nonisolated static func callsAndThrows() async throws {
        _ = await returnsAtOnce(1)
        try await throwsAtOnce()
    }

    @Test func aTaskOnTheLoopIsNotOvertakenUntilItSuspends() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let flag = Flag()
        let seen = await Task(executorPreference: executor) { () -> [String] in
            var seen: [String] = []
            seen.append("on loop \(loop.inEventLoop)")
            loop.execute { flag.raise() }
            _ = await Self.returnsAtOnce(1)
            seen.append("after return \(flag.isRaised)")
            do { try await Self.callsAndThrows() } catch { seen.append("after throw \(flag.isRaised)") }
            // A real suspension lets the queued job run first: the check above can fail.
            await Task.yield()
            seen.append("after yield \(flag.isRaised)")
            seen.append("still on loop \(loop.inEventLoop)")
            return seen
        }.value
        #expect(seen == ["on loop true", "after return false", "after throw false", "after yield true", "still on loop true"])
        try await group.shutdownGracefully()
    }
}
