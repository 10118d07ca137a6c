package dev.tarjama.models.serve;

import dev.tarjama.models.serve.FairJobQueue.Batch;
import dev.tarjama.models.serve.FairJobQueue.Job;
import dev.tarjama.models.serve.FairJobQueue.Key;
import dev.tarjama.models.serve.FairJobQueue.Slice;
import dev.tarjama.models.local.Decoding;
import dev.tarjama.models.local.Translation;
import dev.tarjama.models.local.Translator;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gathers the texts of concurrent requests into few {@link Translator#translateWithin} calls of at
 * most {@code maxBatch} texts, so that one model serves many clients with full batches and no
 * request becomes an unbounded batch.
 *
 * <p>One dispatcher thread waits for a free model slot, then takes the next batch from a {@link
 * FairJobQueue}: it waits up to {@code maxDelay} for more texts unless {@code maxBatch} are
 * already waiting, and fills the batch round-robin over the waiting requests that share its
 * decoding and token budget, so a small request is not stuck behind a large one. While every slot
 * is busy, texts pile up and the next batch is full without any added delay. At most {@code
 * maxQueued} texts wait ({@link #submit} refuses more); a request's texts not yet run when its
 * deadline passes, or when its caller cancels it, are never run.
 */
final class MicroBatcher implements AutoCloseable {
  private final Translator translator;
  private final int maxBatch;
  private final int modelThreads;
  private final long maxDelayNanos;
  private final long timeoutNanos;
  private final FairJobQueue queue;
  private final Semaphore slots;
  private final ExecutorService model;
  private final Thread dispatcher;
  private volatile boolean closed;

  private final AtomicLong translateCalls = new AtomicLong();
  private final AtomicLong sourcesTranslated = new AtomicLong();
  private final AtomicInteger largestBatch = new AtomicInteger();
  /** Mean nanoseconds of a translate call, smoothed (for Retry-After); 0 before the first. */
  private final AtomicLong batchNanos = new AtomicLong();

  MicroBatcher(
      Translator translator,
      int maxBatch,
      Duration maxDelay,
      int modelThreads,
      int maxQueued,
      Duration timeout) {
    this.translator = translator;
    this.maxBatch = maxBatch;
    this.modelThreads = modelThreads;
    this.maxDelayNanos = maxDelay.toNanos();
    this.timeoutNanos = timeout.toNanos();
    this.queue = new FairJobQueue(maxBatch, maxQueued);
    this.slots = new Semaphore(modelThreads);
    AtomicInteger threadNo = new AtomicInteger();
    this.model =
        Executors.newFixedThreadPool(
            modelThreads,
            r -> {
              Thread t = new Thread(r, "tarjama-serve-model-" + threadNo.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    this.dispatcher = new Thread(this::dispatchLoop, "tarjama-serve-batcher");
    this.dispatcher.setDaemon(true);
    this.dispatcher.start();
  }

  /**
   * Queues {@code sources}; the job's result completes with one list of candidates per source, in
   * order, each candidate within {@code maxTokens}, or fails after the timeout. {@code null} when
   * the queue has no room for them (nothing is queued then). Cancel the result to drop the texts
   * not yet run.
   */
  Job submit(List<String> sources, Decoding decoding, int maxTokens) {
    Job job = new Job(sources, new Key(decoding, maxTokens), System.nanoTime() + timeoutNanos);
    if (closed) {
      job.result.completeExceptionally(new RejectedExecutionException("the server is shutting down"));
      return job;
    }
    return queue.offer(job) ? job : null;
  }

  /**
   * Seconds until the waiting texts are likely done (for a 429's {@code Retry-After}): the
   * batches they fill, spread over the model threads, at the mean batch time; 1 to 60.
   */
  int retryAfterSeconds() {
    long batches = (queue.queuedTexts() + maxBatch - 1) / maxBatch;
    double seconds = batches * (batchNanos.get() / 1e9) / modelThreads;
    return (int) Math.max(1, Math.min(60, Math.ceil(seconds)));
  }

  long translateCalls() {
    return translateCalls.get();
  }

  long sourcesTranslated() {
    return sourcesTranslated.get();
  }

  int largestBatch() {
    return largestBatch.get();
  }

  int queuedTexts() {
    return queue.queuedTexts();
  }

  long cancelledTexts() {
    return queue.cancelledTexts();
  }

  private void dispatchLoop() {
    try {
      while (!closed) {
        slots.acquire();
        Batch batch;
        try {
          batch = queue.take(maxDelayNanos);
        } catch (InterruptedException e) {
          slots.release();
          throw e;
        }
        if (batch == null) {
          slots.release();
          return;
        }
        run(batch);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      queue.close();
    }
  }

  /** Runs one batch on a model thread; the caller holds a slot, which the batch releases. */
  private void run(Batch batch) {
    List<String> sources = batch.sources();
    try {
      model.execute(
          () -> {
            long started = System.nanoTime();
            try {
              translateCalls.incrementAndGet();
              sourcesTranslated.addAndGet(sources.size());
              largestBatch.accumulateAndGet(sources.size(), Math::max);
              List<List<Translation>> out =
                  translator.translateWithin(
                      sources, batch.key().decoding(), batch.key().maxTokens());
              if (out == null || out.size() != sources.size()) {
                throw new IllegalStateException(
                    "the translator returned "
                        + (out == null ? "null" : out.size() + " results")
                        + " for "
                        + sources.size()
                        + " sources");
              }
              int at = 0;
              for (Slice slice : batch.slices()) {
                int size = slice.to() - slice.from();
                slice.job().answer(slice.from(), List.copyOf(out.subList(at, at + size)));
                at += size;
              }
            } catch (Throwable e) {
              // The failed requests' other texts are dropped from the queue, not run.
              batch.slices().forEach(s -> s.job().result.completeExceptionally(e));
            } finally {
              long took = System.nanoTime() - started;
              batchNanos.accumulateAndGet(took, (mean, t) -> mean == 0 ? t : (mean * 7 + t) / 8);
              slots.release();
            }
          });
    } catch (RejectedExecutionException e) {
      slots.release();
      batch.slices().forEach(s -> s.job().result.completeExceptionally(e));
    }
  }

  /** Fails waiting jobs, lets running batches finish, stops the threads. */
  @Override
  public void close() {
    closed = true;
    queue.close();
    dispatcher.interrupt();
    model.shutdown();
    try {
      dispatcher.join(TimeUnit.SECONDS.toMillis(5));
      model.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
