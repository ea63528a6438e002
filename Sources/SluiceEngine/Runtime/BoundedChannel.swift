import SluiceCore
import Synchronization

/// A single-consumer queue of at most `capacity` elements: `send` waits while it is full (the
/// backpressure between a worker and the commit loop), `receive` waits while it is empty. Both
/// waits end with `CancellationError` when their task is cancelled.
final class BoundedChannel<Element: Sendable>: Sendable {
    struct Closed: Error {}

    private struct State {
        // Optional slots so a popped element is released at once: a finished channel must hold
        // nothing, or batches would stay alive until the end of the run.
        var buffer: [Element?] = []
        var head = 0
        var finished = false
        var failure: (any Error)? = nil
        var receiver: CheckedContinuation<Element?, any Error>? = nil
        var senders: [(id: UInt64, element: Element, continuation: CheckedContinuation<Void, any Error>)] = []
        var nextID: UInt64 = 0

        var count: Int { buffer.count - head }

        mutating func pop() -> Element? {
            guard head < buffer.count else { return nil }
            let e = buffer[head]
            buffer[head] = nil
            head += 1
            if head > 64 && head * 2 > buffer.count {
                buffer.removeFirst(head)
                head = 0
            }
            return e
        }
    }

    private enum SendStep { case done, handOff(CheckedContinuation<Element?, any Error>), closed, wait(UInt64) }
    private enum ReceiveStep { case element(Element, CheckedContinuation<Void, any Error>?), end, failed(any Error), wait }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    func send(_ element: Element) async throws {
        let fast: SendStep = state.withLock { s in
            if s.finished { return .closed }
            if let r = s.receiver { s.receiver = nil; return .handOff(r) }
            if s.count < capacity { s.buffer.append(element); return .done }
            s.nextID += 1
            return .wait(s.nextID)
        }
        let id: UInt64
        switch fast {
        case .done: return
        case .handOff(let r): r.resume(returning: element); return
        case .closed: throw Closed()
        case .wait(let i): id = i
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let now: Result<Void, any Error>? = state.withLock { s in
                    if Task.isCancelled { return .failure(CancellationError()) }
                    if s.finished { return .failure(Closed()) }
                    if s.count < capacity { s.buffer.append(element); return .success(()) }
                    s.senders.append((id, element, c))
                    return nil
                }
                if let r = now { c.resume(with: r) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Void, any Error>? in
                guard let i = s.senders.firstIndex(where: { $0.id == id }) else { return nil }
                return s.senders.remove(at: i).continuation
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// The next element; nil once the channel is finished and drained.
    func receive() async throws -> Element? {
        let take = { (s: inout State) -> ReceiveStep in
            if let e = s.pop() {
                var woken: CheckedContinuation<Void, any Error>? = nil
                if !s.senders.isEmpty {
                    let next = s.senders.removeFirst()
                    s.buffer.append(next.element)
                    woken = next.continuation
                }
                return .element(e, woken)
            }
            if let f = s.failure { return .failed(f) }
            if s.finished { return .end }
            return .wait
        }
        switch state.withLock({ take(&$0) }) {
        case let .element(e, woken): woken?.resume(); return e
        case .end: return nil
        case .failed(let f): throw f
        case .wait: break
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Element?, any Error>) in
                var resumeWith: Result<Element?, any Error>? = nil
                var woken: CheckedContinuation<Void, any Error>? = nil
                state.withLock { s in
                    if Task.isCancelled { resumeWith = .failure(CancellationError()); return }
                    switch take(&s) {
                    case let .element(e, w): resumeWith = .success(e); woken = w
                    case .end: resumeWith = .success(nil)
                    case .failed(let f): resumeWith = .failure(f)
                    case .wait: s.receiver = c
                    }
                }
                woken?.resume()
                if let r = resumeWith { c.resume(with: r) }
            }
        } onCancel: {
            let c = state.withLock { s -> CheckedContinuation<Element?, any Error>? in
                defer { s.receiver = nil }
                return s.receiver
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// No more elements will come; the receiver drains what is buffered, then gets nil.
    func finish() { close(failure: nil) }

    /// Ends the channel with an error, delivered after the buffered elements.
    func fail(_ error: any Error) { close(failure: error) }

    private func close(failure: (any Error)?) {
        let (receiver, senders, failureNow): (CheckedContinuation<Element?, any Error>?, [CheckedContinuation<Void, any Error>], (any Error)?) =
            state.withLock { s in
                if s.finished { return (nil, [], nil) }
                s.finished = true
                s.failure = failure
                let r = s.receiver
                s.receiver = nil
                let senders = s.senders.map(\.continuation)
                s.senders.removeAll()
                return (r, senders, failure)
            }
        if let r = receiver {
            if let f = failureNow { r.resume(throwing: f) } else { r.resume(returning: nil) }
        }
        for c in senders { c.resume(throwing: Closed()) }
    }
}
