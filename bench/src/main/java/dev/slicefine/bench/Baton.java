package dev.slicefine.bench;

/**
 * Round-robin turns between the trainer threads of an interleaved benchmark: exactly one holds the baton, so the
 * methods never run at the same time and each round runs one step of each method.
 */
final class Baton {
    /** Thrown in a waiting thread when another thread failed. */
    static final class Aborted extends RuntimeException {
        Aborted() {
            super("aborted: another benchmark thread failed", null, false, false);
        }
    }

    private final boolean[] done;
    private int turn;
    private Throwable failure;

    Baton(int parties) {
        done = new boolean[parties];
    }

    synchronized void await(int who) {
        while (turn != who && failure == null) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new Aborted();
            }
        }
        if (failure != null) {
            throw new Aborted();
        }
    }

    /** Hands the turn to the next party that is not done (back to {@code who} when all others are). */
    synchronized void pass(int who) {
        advance(who);
    }

    /** {@code who} has finished for good. */
    synchronized void finish(int who) {
        done[who] = true;
        if (turn == who) {
            advance(who);
        }
    }

    synchronized void fail(Throwable t) {
        if (failure == null) {
            failure = t;
        }
        notifyAll();
    }

    synchronized Throwable failure() {
        return failure;
    }

    private void advance(int from) {
        int n = done.length;
        for (int k = 1; k <= n; k++) {
            int j = (from + k) % n;
            if (!done[j]) {
                turn = j;
                break;
            }
        }
        notifyAll();
    }
}
