package dev.tarjama.models.serve;

import dev.tarjama.models.translate.Decoding;
import dev.tarjama.models.translate.Translation;
import dev.tarjama.models.translate.Translator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gathers the sources of concurrent requests into few {@link Translator#translate} calls, so that
 * one model serves many clients with full batches.
 *
 * <p>One dispatcher thread waits for a free model slot, takes the first waiting job, then keeps
 * collecting jobs for up to {@code maxDelay} or until {@code maxBatch} sources are gathered.
 * While every slot is busy, jobs pile up in the queue and the next batch takes them all at once,
 * so under load batches fill without any added delay. A batch holds only jobs with equal {@link
 * Decoding} (one translate call takes one decoding); jobs with another decoding go into a batch
 * of their own. A job is never split: a job larger than {@code maxBatch} is a batch by itself.
 */
final class MicroBatcher implements AutoCloseable {
  private record Job(
      List<String> sources,
      Decoding decoding,
      int maxTokens,
      CompletableFuture<List<List<Translation>>> result) {}

  /** What one translate call shares: the decoding and the per-response token budget. */
  private record Key(Decoding decoding, int maxTokens) {}

  private final Translator translator;
  private final int maxBatch;
  private final long maxDelayNanos;
  private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
  private final Semaphore slots;
  private final ExecutorService model;
  private final Thread dispatcher;
  private volatile boolean closed;

  private final AtomicLong translateCalls = new AtomicLong();
  private final AtomicLong sourcesTranslated = new AtomicLong();
  private final AtomicInteger largestBatch = new AtomicInteger();

  MicroBatcher(Translator translator, int maxBatch, Duration maxDelay, int modelThreads) {
    this.translator = translator;
    this.maxBatch = maxBatch;
    this.maxDelayNanos = maxDelay.toNanos();
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
   * Completes with one list of candidates per source, in order, each candidate within {@code
   * maxTokens} ({@link Translator#translateWithin}).
   */
  CompletableFuture<List<List<Translation>>> submit(
      List<String> sources, Decoding decoding, int maxTokens) {
    CompletableFuture<List<List<Translation>>> result = new CompletableFuture<>();
    if (closed) {
      result.completeExceptionally(shuttingDown());
      return result;
    }
    queue.add(new Job(List.copyOf(sources), decoding, maxTokens, result));
    return result;
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

  private void dispatchLoop() {
    try {
      while (!closed) {
        slots.acquire();
        Job first;
        try {
          first = queue.take();
        } catch (InterruptedException e) {
          slots.release();
          throw e;
        }
        List<Job> gathered = new ArrayList<>();
        gathered.add(first);
        int sources = first.sources().size();
        long deadline = System.nanoTime() + maxDelayNanos;
        while (sources < maxBatch) {
          Job next = queue.peek();
          if (next != null && sources + next.sources().size() > maxBatch) {
            break; // never split a job; it leads the next batch
          }
          long wait = deadline - System.nanoTime();
          next = wait > 0 ? queue.poll(wait, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          gathered.add(next);
          sources += next.sources().size();
        }
        Map<Key, List<Job>> byDecoding = new LinkedHashMap<>();
        for (Job job : gathered) {
          byDecoding
              .computeIfAbsent(new Key(job.decoding(), job.maxTokens()), d -> new ArrayList<>())
              .add(job);
        }
        List<List<Job>> groups = new ArrayList<>(byDecoding.values());
        for (int g = 0; g < groups.size(); g++) {
          if (g > 0) {
            try {
              slots.acquire();
            } catch (InterruptedException e) {
              for (List<Job> unrun : groups.subList(g, groups.size())) {
                unrun.forEach(job -> job.result().completeExceptionally(shuttingDown()));
              }
              throw e;
            }
          }
          run(groups.get(g).get(0).decoding(), groups.get(g).get(0).maxTokens(), groups.get(g));
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      Job left;
      while ((left = queue.poll()) != null) {
        left.result().completeExceptionally(shuttingDown());
      }
    }
  }

  /** Runs one batch on a model thread; the caller holds a slot, which the batch releases. */
  private void run(Decoding decoding, int maxTokens, List<Job> jobs) {
    List<String> sources = new ArrayList<>();
    for (Job job : jobs) {
      sources.addAll(job.sources());
    }
    try {
      model.execute(
          () -> {
            try {
              translateCalls.incrementAndGet();
              sourcesTranslated.addAndGet(sources.size());
              largestBatch.accumulateAndGet(sources.size(), Math::max);
              List<List<Translation>> out = translator.translateWithin(sources, decoding, maxTokens);
              if (out == null || out.size() != sources.size()) {
                throw new IllegalStateException(
                    "the translator returned "
                        + (out == null ? "null" : out.size() + " results")
                        + " for "
                        + sources.size()
                        + " sources");
              }
              int from = 0;
              for (Job job : jobs) {
                int to = from + job.sources().size();
                job.result().complete(List.copyOf(out.subList(from, to)));
                from = to;
              }
            } catch (Throwable e) {
              for (Job job : jobs) {
                job.result().completeExceptionally(e);
              }
            } finally {
              slots.release();
            }
          });
    } catch (RejectedExecutionException e) {
      slots.release();
      for (Job job : jobs) {
        job.result().completeExceptionally(e);
      }
    }
  }

  private static RejectedExecutionException shuttingDown() {
    return new RejectedExecutionException("the server is shutting down");
  }

  /** Fails waiting jobs, lets running batches finish, stops the threads. */
  @Override
  public void close() {
    closed = true;
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
