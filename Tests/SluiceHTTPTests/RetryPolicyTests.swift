import Testing

@testable import SluiceHTTP

@Suite struct RetryPolicyTests {
    @Test func ceilingDoublesUpToTheCap() {
        let p = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1))
        let c = (0..<6).map { TokenBucket.toSeconds(p.ceiling(afterAttempt: $0)) }
        #expect(c.map { ($0 * 1000).rounded() } == [100, 200, 400, 800, 1000, 1000])
    }

    @Test func fullJitterStaysUnderTheCeilingAndRetryAfterIsAFloor() {
        let p = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(10))
        var rng = SystemRandomNumberGenerator()
        for attempt in 0..<5 {
            let ceiling = TokenBucket.toSeconds(p.ceiling(afterAttempt: attempt))
            for _ in 0..<50 {
                let d = TokenBucket.toSeconds(p.delay(afterAttempt: attempt, retryAfter: nil, using: &rng))
                #expect(d >= 0 && d <= ceiling + 1e-9)
            }
        }
        // The ceiling after the first failure is 100 ms: a Retry-After of 2 s wins whatever the dice say.
        #expect(p.delay(afterAttempt: 0, retryAfter: .seconds(2), using: &rng) == .seconds(2))
        // Jitter spreads: not all delays equal.
        let spread = Set((0..<20).map { _ in p.delay(afterAttempt: 4, retryAfter: nil, using: &rng) })
        #expect(spread.count > 10)
    }

    @Test func retryAfterParsesSecondsOnly() {
        #expect(RetryPolicy.parseRetryAfter("3") == .seconds(3))
        #expect(RetryPolicy.parseRetryAfter(" 1.5 ") == .milliseconds(1500))
        #expect(RetryPolicy.parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }
}
