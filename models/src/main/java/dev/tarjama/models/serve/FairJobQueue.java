package dev.tarjama.models.serve;

import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * The server's waiting work: each request is a {@link Job} of texts, and {@link #take} hands the
 * texts out in batches of at most {@code maxBatch}, so that no request becomes an unbounded model
 * batch and no request waits for another to finish.
 *
 * <ul>
 *   <li>Bounded: {@link #offer} refuses a job when the texts waiting would exceed {@code
 *       maxQueued} (the server answers 429).
 *   <li>Fair: a batch takes one text from each waiting job with the batch's {@link Key} in turn
 *       (round-robin), so a one-text request is served in the next batch while a 5,000-text one is
 *       in progress; the job that led a batch goes to the back of the line, so jobs with other
 *       keys get their turn too.
 *   <li>Cancelled work is not run: a job whose result is already done (its request timed out and
 *       cancelled it, or a batch of it failed) or whose deadline passed is dropped before its
 *       remaining texts reach the model, and they are counted ({@link #cancelledTexts}).
 * </ul>
 *
 * <p>Thread-safe; one lock guards the line.
 */
final class FairJobQueue {
  /** What one translate call shares: the decoding and the per-choice token budget. */
  record Key(Decoding decoding, int maxTokens) {}

  /** One request's texts and the future its answer completes. */
  static final class Job {
    final List<String> sources;
    final Key key;
    final long deadlineNanos;
    final CompletableFuture<List<List<Translation>>> result = new CompletableFuture<>();
    private final List<Translation>[] answers;
    private int undispatched; // guarded by the queue's lock
    private int unanswered; // guarded by this

    @SuppressWarnings("unchecked")
    Job(List<String> sources, Key key, long deadlineNanos) {
      this.sources = List.copyOf(sources);
      this.key = key;
      this.deadlineNanos = deadlineNanos;
      this.answers = new List[this.sources.size()];
      this.undispatched = this.sources.size();
      this.unanswered = this.sources.size();
    }

    private int nextIndex() {
      return sources.size() - undispatched;
    }

    /** Answers for texts {@code from …} in order; completes the result when every text has one. */
    synchronized void answer(int from, List<List<Translation>> candidates) {
      for (int i = 0; i < candidates.size(); i++) {
        answers[from + i] = candidates.get(i);
      }
      unanswered -= candidates.size();
      if (unanswered == 0) {
        result.complete(List.copyOf(Arrays.asList(answers)));
      }
    }
  }

  /** Texts {@code from} to {@code to} (exclusive) of one job. */
  record Slice(Job job, int from, int to) {
    List<String> sources() {
      return job.sources.subList(from, to);
    }
  }

  /** One translate call's worth: slices of jobs that share a key. */
  record Batch(Key key, List<Slice> slices) {
    List<String> sources() {
      List<String> out = new ArrayList<>();
      slices.forEach(s -> out.addAll(s.sources()));
      return out;
    }
  }

  private final int maxBatch;
  private final int maxQueued;
  private final LongSupplier clock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Deque<Job> line = new ArrayDeque<>();
  private int queued;
  private long cancelled;
  private boolean closed;

  FairJobQueue(int maxBatch, int maxQueued) {
    this(maxBatch, maxQueued, System::nanoTime);
  }

  FairJobQueue(int maxBatch, int maxQueued, LongSupplier clock) {
    this.maxBatch = maxBatch;
    this.maxQueued = maxQueued;
    this.clock = clock;
  }

  /**
   * Puts {@code job} in line; {@code false} when its texts do not fit in what is left of {@code
   * maxQueued} (nothing is queued then). A closed queue fails the job at once.
   */
  boolean offer(Job job) {
    lock.lock();
    try {
      if (closed) {
        job.result.completeExceptionally(shuttingDown());
        return true;
      }
      dropDead();
      if (queued + job.sources.size() > maxQueued) {
        return false;
      }
      line.addLast(job);
      queued += job.undispatched;
      changed.signalAll();
      return true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next batch: waits for a job, then up to {@code maxDelayNanos} for more texts unless
   * {@code maxBatch} are already waiting. {@code null} once closed.
   */
  Batch take(long maxDelayNanos) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      while (true) {
        dropDead();
        while (line.isEmpty() && !closed) {
          changed.await();
          dropDead();
        }
        if (closed) {
          return null;
        }
        long until = clock.getAsLong() + maxDelayNanos;
        long wait;
        while (queued < maxBatch && !closed && (wait = until - clock.getAsLong()) > 0) {
          changed.awaitNanos(wait);
        }
        dropDead();
        if (closed) {
          return null;
        }
        if (!line.isEmpty()) {
          return cut();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /** Texts waiting, not yet in a batch. */
  int queuedTexts() {
    lock.lock();
    try {
      return queued;
    } finally {
      lock.unlock();
    }
  }

  /** Texts dropped without being run: their request timed out, was cancelled or failed. */
  long cancelledTexts() {
    lock.lock();
    try {
      return cancelled;
    } finally {
      lock.unlock();
    }
  }

  /** Fails every waiting job; {@link #take} returns {@code null} from now on. */
  void close() {
    lock.lock();
    try {
      closed = true;
      for (Job job : line) {
        job.result.completeExceptionally(shuttingDown());
      }
      line.clear();
      queued = 0;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Builds one batch from the head of the line, round-robin over the jobs sharing its key. */
  private Batch cut() {
    Job leader = line.peekFirst();
    List<Job> eligible = new ArrayList<>();
    for (Job job : line) {
      if (job.key.equals(leader.key)) {
        eligible.add(job);
      }
    }
    int[] take = new int[eligible.size()];
    int room = maxBatch;
    boolean progress = true;
    while (room > 0 && progress) {
      progress = false;
      for (int i = 0; i < eligible.size() && room > 0; i++) {
        if (take[i] < eligible.get(i).undispatched) {
          take[i]++;
          room--;
          progress = true;
        }
      }
    }
    List<Slice> slices = new ArrayList<>();
    for (int i = 0; i < eligible.size(); i++) {
      if (take[i] > 0) {
        Job job = eligible.get(i);
        int from = job.nextIndex();
        slices.add(new Slice(job, from, from + take[i]));
        job.undispatched -= take[i];
        queued -= take[i];
      }
    }
    line.removeIf(job -> job.undispatched == 0);
    if (line.remove(leader)) {
      line.addLast(leader); // it led this batch: the others lead the next ones
    }
    return new Batch(leader.key, List.copyOf(slices));
  }

  /** Drops jobs nobody waits for any more (done, or past their deadline), counting their texts. */
  private void dropDead() {
    long now = clock.getAsLong();
    for (Iterator<Job> it = line.iterator(); it.hasNext(); ) {
      Job job = it.next();
      boolean late = now - job.deadlineNanos >= 0;
      if (job.result.isDone() || late) {
        if (late) {
          job.result.completeExceptionally(
              new TimeoutException("the request's deadline passed before the model reached it"));
        }
        it.remove();
        queued -= job.undispatched;
        cancelled += job.undispatched;
        job.undispatched = 0;
      }
    }
  }

  private static RejectedExecutionException shuttingDown() {
    return new RejectedExecutionException("the server is shutting down");
  }
}
