import Synchronization

/// A counter that tasks can wait on: ``advance(to:)`` wakes everyone waiting
/// for a value above what they last saw. The health feed's long polls and
/// event streams wait on its version; the scoring loop waits on a wake-up
/// (an override set) or its next tick.
final class VersionSignal: Sendable {
    private struct State {
        var value = 0
        var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var value: Int { state.withLock { $0.value } }

    /// Raises the value (never lowers it) and wakes the waiters.
    func advance(to value: Int) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard value > state.value else { return [] }
            state.value = value
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Adds one and wakes the waiters.
    func bump() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.value += 1
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns once the value is above `seen`, or the task is cancelled.
    func wait(after seen: Int) async {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.value > seen || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Waits for a value above `seen` for at most `timeout`.
    /// - Returns: whether the value passed `seen`.
    func wait(after seen: Int, timeout: Duration) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.wait(after: seen) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        return value > seen
    }
}
