package dev.tarjama.transforms.translate;

import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.models.prompt.PromptTemplate;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendCalls.Done;
import dev.tarjama.transforms.backend.BackendCalls.Outputs;
import dev.tarjama.transforms.backend.BackendCalls;
import dev.tarjama.transforms.backend.BackendMetrics;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.CompletionCandidates;
import dev.tarjama.transforms.backend.PendingCalls;
import dev.tarjama.transforms.domain.Chunk;
import dev.tarjama.transforms.domain.ChunkTranslation;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.joda.time.Instant;

/**
 * An API backend's branch of {@link TranslateChunks}: one request per chunk (k candidates), up to
 * the backend's concurrency in flight per bundle ({@link BackendCalls}), each answer stored in the
 * cache as it arrives, sent only within the spending limit. Outputs {@link
 * TranslateChunks#TRANSLATIONS}, {@link TranslateChunks#FAILURES} and, on a backend's first pass,
 * {@link TruncationRetry#TO_RETRY}.
 */
final class TranslateFn extends DoFn<Chunk, ChunkTranslation> {
  private final ApiBranch branch;
  private final BackendSpec backend;
  private final PromptTemplate prompt;
  private final String label;
  private final int k;
  private final BackendCalls<Chunk> calls;
  private final CacheKeyspace keyspace;
  private final CacheKeyspace truncatedKeyspace;
  /** First pass: a cut chunk goes to {@link TruncationRetry#TO_RETRY}; retry: it is marked. */
  private final boolean retryTruncated;
  /** Identical requests share one call ({@link SharedTranslations}; needs a cache). */
  private final boolean share;

  private final Counter truncated;
  private final Counter budgetRefused;
  private final Counter dedupeCopies;
  private final Counter dedupeTokensSaved;

  private transient SpendingLimit.Ledger ledger;
  /** Chunks waiting for an identical chunk's call: not counted against the concurrency. */
  private transient PendingCalls<Done<Chunk, SharedTranslations.Answer>> copies;
  private transient SharedTranslations shared;

  /**
   * Calls {@code branch}'s backend. With {@code retryTruncated} (a backend's first pass) a chunk
   * with a candidate cut at the length limit is sent to {@link TruncationRetry#TO_RETRY} instead
   * of emitted; without (the retry itself) such candidates are emitted {@link
   * ChunkTranslation#truncated marked}.
   */
  TranslateFn(ApiBranch branch, boolean retryTruncated) {
    this.branch = branch;
    this.backend = branch.backend();
    this.share = branch.share() && !TranslationCaches.isNone(branch.cacheUri());
    this.retryTruncated = retryTruncated;
    this.keyspace = BackendCaching.keyspace(backend);
    this.truncatedKeyspace = BackendCaching.truncatedKeyspace(backend);
    this.prompt = backend.prompt();
    this.label = backend.label();
    this.k = backend.k();
    BackendMetrics metrics = BackendMetrics.translation(label);
    this.calls = new BackendCalls<>(backend.name(), backend.config(), branch.cacheUri(), metrics);
    this.truncated = metrics.counter(retryTruncated ? "truncated" : "truncated_after_retry");
    this.budgetRefused = metrics.counter("budget_refused");
    this.dedupeCopies = metrics.counter("dedupe_copies");
    this.dedupeTokensSaved = metrics.counter("dedupe_tokens_saved");
  }

  @Setup
  public void setup() {
    calls.setup();
    SpendingLimit limit = branch.spendingLimit();
    ledger = limit.isCounted() ? limit.ledger() : null;
    if (share) {
      shared = new SharedTranslations(backend.config(), label, k, keyspace, truncatedKeyspace);
    }
  }

  /**
   * Stores a completion the moment it arrives (on the HTTP client's thread), so that a worker
   * killed later does not pay for it again.
   */
  private void store(Chunk chunk, Completion completion) {
    calls.store(BackendCaching.entries(keyspace, truncatedKeyspace, chunk, k, completion));
  }

  @StartBundle
  public void startBundle() {
    calls.startBundle();
    copies = new PendingCalls<>();
  }

  @ProcessElement
  public void process(
      @Element Chunk chunk,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      MultiOutputReceiver out)
      throws InterruptedException {
    Outputs outputs = calls.startElement("TranslateChunks", window, out, this::emit);
    copies.makeRoom(Integer.MAX_VALUE, d -> emitCopy(d, outputs));
    String request = prompt.render(chunk.text());
    SpendingLimit.Reservation reservation = null;
    if (ledger != null) {
      reservation = reserve(chunk, request);
      if (reservation == null) {
        budgetRefused.inc();
        LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
        String error = "backend " + backend.name() + ": " + ledger.exhaustion()
            + "; chunk not sent";
        fail(chunk, error, timestamp, outputs);
        return;
      }
    }
    long start = System.nanoTime();
    SpendingLimit.Reservation held = reservation;
    // Each attempt that came back with a usage is spent at once, on the HTTP client's thread
    // (the next chunk's check needs it), whatever becomes of this chunk or of this bundle.
    OpenAiCompatibleClient.AttemptUsage paid = held == null ? (in, out2) -> {}
        : (in, out2) -> held.paid(backend.costUsd(in, out2), in + out2);
    LiveCounts.inc(LiveCounts.REQUESTS_IN_FLIGHT);
    try {
      CompletableFuture<Completion> call;
      if (shared != null) {
        SharedTranslations.Call c = shared.translate(
            chunk, calls.cache(), () -> calls.client().translate(request, k, paid), this::store);
        if (!c.paid()) {
          LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
          if (held != null) {
            held.release();
          }
          // Counted done on the progress line when its copy is emitted, not as a request.
          copies.add(c.answer(), (answer, error) ->
              new Done<>(chunk, timestamp, answer, error, System.nanoTime() - start));
          return;
        }
        call = c.answer().thenApply(SharedTranslations.Answer::completion);
      } else {
        call = calls.client().translate(request, k, paid);
      }
      calls.add(chunk, timestamp, start, call, (completion, error) -> {
        liveCounts(label, completion, error, retryTruncated);
        if (held != null) {
          held.release();
        }
        if (error == null && shared == null) {
          store(chunk, completion);
        }
      });
    } catch (RuntimeException e) {
      LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
      if (held != null) {
        held.release();
      }
      throw e;
    }
  }

  /**
   * The progress line's counts, the moment an answer arrives (on the client's thread). A cut
   * answer on a first pass leaves its chunk to be done by the retry, which counts it then.
   */
  static void liveCounts(
      String label, Completion completion, Throwable error, boolean retryTruncated) {
    LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
    LiveCounts.inc(LiveCounts.REQUESTS_DONE);
    if (error != null || !retryTruncated || !CompletionCandidates.anyTruncated(completion)) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    }
    if (error != null) {
      LiveCounts.inc(LiveCounts.REQUESTS_FAILED);
    } else {
      LiveCounts.add(LiveCounts.TOKENS_OUT, completion.completionTokens());
      LiveCounts.add(LiveCounts.RETRIES, completion.retries());
      // Per backend, for the report's cost over time (prices are per backend).
      LiveCounts.add(LiveCounts.backendTokens(label, "in"), completion.promptTokens());
      LiveCounts.add(LiveCounts.backendTokens(label, "out"), completion.completionTokens());
    }
  }

  /**
   * Reserves what sending this chunk is expected to cost: the prompt per call, the chunk's own
   * tokens per candidate out (a translation is about as long as its source); null when the
   * budget is spent.
   */
  private SpendingLimit.Reservation reserve(Chunk chunk, String request) {
    long in = OpenAiCompatibleClient.estimateTokens(request) * backend.callsPerChunk();
    long out =
        Math.max(chunk.tokens(), OpenAiCompatibleClient.estimateTokens(chunk.text())) * (long) k;
    return ledger.tryReserve(backend.costUsd(in, out), in + out);
  }

  @FinishBundle
  public void finishBundle(FinishBundleContext context) throws InterruptedException {
    Outputs outputs = calls.finishBundle(context, this::emit);
    copies.drain(d -> emitCopy(d, outputs));
  }

  @Teardown
  public void teardown() {
    calls.teardown();
  }

  private void emit(Done<Chunk, Completion> d, Outputs out) {
    Chunk chunk = d.element();
    if (d.error() != null) {
      fail(chunk, calls.failed(d), d.timestamp(), out);
      return;
    }
    calls.completed(d);
    List<ChunkTranslation> candidates = CompletionCandidates.of(chunk, label, k, d.answer());
    boolean anyCut = false;
    for (ChunkTranslation t : candidates) {
      if (t.truncated()) {
        truncated.inc();
        anyCut = true;
      }
    }
    emit(chunk, candidates, anyCut, d.timestamp(), out);
  }

  /**
   * An identical chunk's answer given to this chunk: the same outputs as a call's, counted as
   * dedupe savings ({@code dedupe_copies} per candidate, {@code dedupe_tokens_saved}) and not
   * as calls, tokens, failures or truncations (the chunk that paid counts those).
   */
  private void emitCopy(Done<Chunk, SharedTranslations.Answer> d, Outputs out) {
    Chunk chunk = d.element();
    if (d.error() != null) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
      fail(chunk, calls.error(d.error()), d.timestamp(), out);
      return;
    }
    List<ChunkTranslation> candidates = shared.candidates(chunk, d.answer());
    boolean anyCut = false;
    for (ChunkTranslation t : candidates) {
      anyCut |= t.truncated();
      dedupeTokensSaved.inc(t.tokensIn() + t.tokensOut());
    }
    dedupeCopies.inc(k);
    // This branch is asked for every chunk (TranslateChunks#asksEveryChunk): a copy is one of
    // its (chunk, backend) pairs done, unless it goes to the retry, which counts it then.
    if (!(anyCut && retryTruncated)) {
      LiveCounts.inc(LiveCounts.CHUNKS_TRANSLATED);
    }
    emit(chunk, candidates, anyCut, d.timestamp(), out);
  }

  /** The candidates; or, when one is cut on a first pass, the whole chunk to its retry. */
  private void emit(
      Chunk chunk, List<ChunkTranslation> candidates, boolean anyCut, Instant timestamp,
      Outputs out) {
    if (anyCut && retryTruncated) {
      // A cut answer is not a translation: the whole chunk is asked again with more room.
      out.output(TruncationRetry.TO_RETRY, chunk, timestamp);
      return;
    }
    candidates.forEach(t -> out.output(TranslateChunks.TRANSLATIONS, t, timestamp));
  }

  /** k failures of {@code chunk}, each with {@code error}. */
  private void fail(Chunk chunk, String error, Instant timestamp, Outputs out) {
    for (int i = 0; i < k; i++) {
      out.output(TranslateChunks.FAILURES, ChunkTranslation.failure(chunk, label, i, error),
          timestamp);
    }
  }
}
