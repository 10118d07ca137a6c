package dev.tarjama.transforms.backend;

import dev.tarjama.models.cache.TranslationCaches;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.backend.BackendCalls.Done;
import dev.tarjama.transforms.backend.BackendCalls.Outputs;
import dev.tarjama.transforms.report.LiveCounts;
import java.util.concurrent.CompletableFuture;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.windowing.BoundedWindow;
import org.apache.beam.sdk.values.TupleTag;
import org.joda.time.Instant;

/**
 * {@link CallBackend}'s calls: one request per input ({@link BackendCall#request}, n answers), up
 * to the backend's concurrency in flight per bundle ({@link BackendCalls}), each answer stored in
 * the cache as it arrives, sent only within the spending limit, identical requests in flight
 * shared when asked ({@link SharedCalls}).
 */
final class CallFn<InputT, OutputT> extends DoFn<InputT, OutputT> {
  private final BackendCall<InputT, OutputT> call;
  private final BackendSpec backend;
  private final SpendingLimit spendingLimit;
  private final boolean share;
  private final BackendCalls<InputT> calls;
  private final Counter budgetRefused;

  private transient SpendingLimit.Ledger ledger;
  /** Inputs waiting for an identical input's call: not counted against the concurrency. */
  private transient PendingCalls<Done<InputT, SharedCalls.Answer>> copies;
  private transient SharedCalls shared;

  /** {@code share}: identical requests in flight are one call (needs a cache). */
  CallFn(
      BackendCall<InputT, OutputT> call,
      String cacheUri,
      SpendingLimit spendingLimit,
      boolean share) {
    this.call = call;
    this.backend = call.backend();
    this.spendingLimit = spendingLimit;
    this.share = share && !TranslationCaches.isNone(cacheUri);
    this.calls = new BackendCalls<>(backend.name(), backend.config(), cacheUri, call.metrics());
    this.budgetRefused = call.metrics().counter("budget_refused");
  }

  @Setup
  public void setup() {
    calls.setup();
    ledger = spendingLimit.isCounted() ? spendingLimit.ledger() : null;
    if (share) {
      shared = new SharedCalls(backend.config(), call);
    }
  }

  @StartBundle
  public void startBundle() {
    calls.startBundle();
    copies = new PendingCalls<>();
  }

  @ProcessElement
  public void process(
      @Element InputT input,
      @Timestamp Instant timestamp,
      BoundedWindow window,
      MultiOutputReceiver out)
      throws InterruptedException {
    Outputs outputs = calls.startElement("CallBackend", window, out, this::emit);
    copies.makeRoom(Integer.MAX_VALUE, d -> emitCopy(d, outputs));
    String request = call.request(input);
    String cacheText = call.cacheText(input);
    SpendingLimit.Reservation reservation = null;
    if (ledger != null) {
      reservation = reserve(input, request);
      if (reservation == null) {
        budgetRefused.inc();
        call.refused(input, ledger.exhaustion(), emitter(outputs, timestamp));
        return;
      }
    }
    long start = System.nanoTime();
    SpendingLimit.Reservation held = reservation;
    // Each attempt that came back with a usage is spent at once, on the HTTP client's thread
    // (the next input's check needs it), whatever becomes of this input or of this bundle.
    OpenAiCompatibleClient.AttemptUsage paid = held == null ? (in, out2) -> {}
        : (in, out2) -> held.paid(backend.costUsd(in, out2), in + out2);
    boolean live = call.countsLiveRequests();
    if (live) {
      LiveCounts.inc(LiveCounts.REQUESTS_IN_FLIGHT);
    }
    try {
      CompletableFuture<Completion> answer;
      if (shared != null) {
        SharedCalls.Call c = shared.call(
            cacheText, calls.cache(),
            () -> calls.client().translate(request, call.n(), paid),
            completion -> calls.store(call.entries(cacheText, completion)));
        if (!c.paid()) {
          if (live) {
            LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
          }
          if (held != null) {
            held.release();
          }
          copies.add(c.answer(), (a, error) ->
              new Done<>(input, timestamp, a, error, System.nanoTime() - start));
          return;
        }
        answer = c.answer().thenApply(SharedCalls.Answer::completion);
      } else {
        answer = calls.client().translate(request, call.n(), paid);
      }
      calls.add(input, timestamp, start, answer, (completion, error) -> {
        if (live) {
          liveCounts(completion, error);
        }
        call.arrived(completion, error);
        if (held != null) {
          held.release();
        }
        if (error == null && shared == null) {
          calls.store(call.entries(cacheText, completion));
        }
      });
    } catch (RuntimeException e) {
      if (live) {
        LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
      }
      if (held != null) {
        held.release();
      }
      throw e;
    }
  }

  /** The progress line's request counts, the moment a call ends (on the client's thread). */
  private static void liveCounts(Completion completion, Throwable error) {
    LiveCounts.add(LiveCounts.REQUESTS_IN_FLIGHT, -1);
    LiveCounts.inc(LiveCounts.REQUESTS_DONE);
    if (error != null) {
      LiveCounts.inc(LiveCounts.REQUESTS_FAILED);
    } else {
      LiveCounts.add(LiveCounts.TOKENS_OUT, completion.completionTokens());
      LiveCounts.add(LiveCounts.RETRIES, completion.retries());
    }
  }

  /**
   * Reserves what sending this input is expected to cost: the prompt per call, the answers'
   * expected tokens out; null when the budget is spent.
   */
  private SpendingLimit.Reservation reserve(InputT input, String request) {
    long in = OpenAiCompatibleClient.estimateTokens(request) * backend.callsPerChunk();
    long out = call.expectedTokensOut(input);
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

  private void emit(Done<InputT, Completion> d, Outputs out) {
    CachedAnswers.Emitter emitter = emitter(out, d.timestamp());
    if (d.error() != null) {
      call.failed(d.element(), calls.failed(d), emitter);
      return;
    }
    calls.completed(d);
    call.answered(d.element(), d.answer(), emitter);
  }

  /** An identical input's answer given to this input (counted by the call that paid for it). */
  private void emitCopy(Done<InputT, SharedCalls.Answer> d, Outputs out) {
    CachedAnswers.Emitter emitter = emitter(out, d.timestamp());
    if (d.error() != null) {
      call.copyFailed(d.element(), calls.error(d.error()), emitter);
      return;
    }
    call.copied(d.element(), d.answer().completion(), d.answer().stored(), emitter);
  }

  private static CachedAnswers.Emitter emitter(Outputs out, Instant timestamp) {
    return new CachedAnswers.Emitter() {
      @Override
      public <T> void output(TupleTag<T> tag, T value) {
        out.output(tag, value, timestamp);
      }
    };
  }
}
