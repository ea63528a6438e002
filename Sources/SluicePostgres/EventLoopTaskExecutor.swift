import NIOCore

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
