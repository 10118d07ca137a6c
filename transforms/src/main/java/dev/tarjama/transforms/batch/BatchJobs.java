package dev.tarjama.transforms.batch;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.cache.CacheKey;
import dev.tarjama.models.cache.CacheKeyspace;
import dev.tarjama.models.cache.CachedTranslation;
import dev.tarjama.models.cache.TranslationCache;
import dev.tarjama.models.openai.Completion;
import dev.tarjama.models.openai.OpenAiCompatibleClient;
import dev.tarjama.models.openai.SpendingLimit;
import dev.tarjama.transforms.backend.BackendCaching;
import dev.tarjama.transforms.backend.BackendSpec;
import dev.tarjama.transforms.backend.BatchSettings;
import dev.tarjama.transforms.backend.CompletionCandidates;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The launcher's batch phase for one batch backend: sends the chunk texts the cache cannot
 * answer as batch request lines, waits for the batches, reconciles every line ({@link
 * Reconciliation}), stores every answer in the translation cache the moment its file is read,
 * and submits the lines that came back without an answer again, at most {@code batch-retries}
 * times, after which they are given up with their reason (never dropped: the translate pipeline
 * makes those chunks failures with that reason, see {@link BackendSpec#withBatchFailures}).
 *
 * <p>Where the lines go is the {@link Transport}: an OpenAI batch API ({@link #openAi}) or files
 * for a local engine ({@link #files}, {@code vllm run-batch}). Everything submitted is recorded in
 * {@link BatchState} before and after each step, so a launcher killed at any point resumes with
 * the same batches: it polls and collects those, and submits only what no batch holds, so no line
 * is paid for twice (the only window left is between the provider creating a batch and the state
 * recording its id).
 *
 * <p>Cost: each batch is priced at its most (prompt tokens estimated, {@code max-tokens} per
 * candidate out, or twice the prompt when no {@code max-tokens} is set) at the batch prices when
 * it is submitted; with a spending limit a batch that would take the run over it is not
 * submitted and its lines are given up as {@code budget exhausted}. The ledger records that
 * maximum; the counts record the tokens the answers reported, priced in the report at the batch
 * and at the live prices.
 */
public final class BatchJobs {
  private BatchJobs() {}

  /** Points at which a test can stop the launcher as a kill would. */
  public interface Hook {
    /** {@code point} is {@code submitted} (after a round of submissions) or {@code collected}. */
    void at(String point);
  }

  private static volatile Hook hook = point -> {};

  /** For tests: stops the launcher at a point ({@link Hook}); {@code null} resets. */
  public static void setHook(Hook value) {
    hook = value == null ? point -> {} : value;
  }

  /** Whether to wait for submitted batches, and how often to ask. */
  public record Settings(boolean waitForBatches, Duration poll) {}

  /**
   * What the phase came to: {@code pending} when batches are still out (not waited for),
   * the chunks given up (text hash → reason), and the counts (state.json's, over every launch).
   */
  public record Outcome(boolean pending, Map<String, String> givenUp, ObjectNode counts,
      String message) {}

  /** How batch files reach an engine and come back. */
  public interface Transport {
    /** Sends {@code b}'s request file; sets its ids and status; calls {@code save} between steps. */
    void submit(BatchState.Batch b, Path file, Runnable save);

    /** Refreshes {@code b}'s status; true once it is final (its files can be read). */
    boolean poll(BatchState.Batch b);

    /** The output file's lines (none when there is none). */
    List<String> output(BatchState.Batch b);

    /** The error file's lines (none when there is none). */
    List<String> errors(BatchState.Batch b);

    /** What a failed batch reported ("" when nothing). */
    String batchError(BatchState.Batch b);

    /** Whether the launcher may wait for batches (false: a person runs the engine). */
    boolean canWait();

    /** What to tell the user while batches are out. */
    String waiting(List<BatchState.Batch> out);
  }

  /** The OpenAI batch API of {@code backend}. */
  public static Transport openAi(BackendSpec backend) {
    return new OpenAiTransport(backend);
  }

  /** Request and result files in {@code backend}'s {@code path=DIR}. */
  public static Transport files(BackendSpec backend) {
    return new FileTransport(backend);
  }

  /** The state folder of a backend: {@code path=DIR} for batch-file, else under {@code batches}. */
  public static Path stateDir(BackendSpec backend, Path batches) {
    return backend.kind() == BackendSpec.Kind.BATCH_FILE
        ? Path.of(backend.batch().path()) : batches.resolve(backend.name());
  }

  /** Whether {@code dir} holds batches submitted and not yet collected. */
  public static boolean hasUncollected(Path dir) {
    return Files.exists(dir.resolve(BatchState.FILE)) && BatchState.load(dir).hasUncollected();
  }

  /**
   * Runs the phase for {@code texts} (the chunk texts of this backend the cache did not answer).
   *
   * @param spending the run's spending limit (its ledger gets each batch's maximum cost)
   */
  public static Outcome run(
      BackendSpec backend,
      Collection<String> texts,
      Path dir,
      TranslationCache cache,
      SpendingLimit spending,
      Settings settings,
      Transport transport,
      PrintStream log) {
    BatchState state = BatchState.load(dir);
    CacheKeyspace keyspace = BackendCaching.keyspace(backend);
    CacheKeyspace truncated = BackendCaching.truncatedKeyspace(backend);
    BatchSettings batch = backend.batch();
    Map<String, String> textByHash = new HashMap<>();
    Map<String, BatchLines.Request> wanted = new LinkedHashMap<>();
    for (String text : new java.util.TreeSet<>(texts)) {
      textByHash.put(BatchSettings.textHash(text), text);
      for (BatchLines.Request r : BatchLines.requests(backend, text)) {
        wanted.put(r.customId(), r);
      }
    }
    Set<String> answered = answeredInCache(cache, keyspace, truncated, wanted.values(),
        textByHash);
    SpendingLimit.Ledger ledger = spending.isCounted() ? spending.ledger() : null;
    while (true) {
      Set<String> out = new HashSet<>();
      for (BatchState.Batch b : state.batches) {
        if (b.collected) {
          continue;
        }
        if (b.id.isEmpty()) {
          // Recorded but not created when the launcher stopped: nothing was paid for it yet.
          transport.submit(b, dir.resolve(b.file), state::save);
          state.save();
        }
        if (transport.poll(b)) {
          state.save();
          collect(backend, b, dir, state, cache, keyspace, truncated, transport, textByHash,
              answered, log);
          hook.at("collected");
        } else {
          state.save();
          out.addAll(requestIds(dir.resolve(b.file)));
        }
      }
      List<BatchLines.Request> toSend = new ArrayList<>();
      for (BatchLines.Request r : wanted.values()) {
        if (!answered.contains(r.customId()) && !out.contains(r.customId())
            && !state.givenUp.containsKey(r.customId())) {
          toSend.add(r);
        }
      }
      if (!toSend.isEmpty()) {
        submit(backend, toSend, dir, state, transport, ledger, spending, log);
        hook.at("submitted");
        continue; // poll what was just created before deciding to wait
      }
      List<BatchState.Batch> pending =
          state.batches.stream().filter(b -> !b.collected).toList();
      if (pending.isEmpty()) {
        Map<String, String> givenUp = new TreeMap<>();
        state.givenUp.forEach((id, reason) -> {
          String hash = id.substring(0, id.indexOf('-'));
          if (textByHash.containsKey(hash)) {
            givenUp.putIfAbsent(hash, reason);
          }
        });
        return new Outcome(false, givenUp, state.countsJson(), "");
      }
      if (!settings.waitForBatches() || !transport.canWait()) {
        return new Outcome(true, Map.of(), state.countsJson(), transport.waiting(pending));
      }
      try {
        Thread.sleep(Math.max(1, settings.poll().toMillis()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return new Outcome(true, Map.of(), state.countsJson(), "interrupted while waiting");
      }
    }
  }

  /** The lines whose every candidate is already stored (good or truncated). */
  private static Set<String> answeredInCache(
      TranslationCache cache, CacheKeyspace keyspace, CacheKeyspace truncated,
      Collection<BatchLines.Request> lines, Map<String, String> textByHash) {
    List<CacheKey> keys = new ArrayList<>();
    for (BatchLines.Request r : lines) {
      String text = textByHash.get(r.hash());
      for (int i = r.firstCandidate(); i < r.firstCandidate() + r.candidates(); i++) {
        keys.add(keyspace.key(i, text));
        keys.add(truncated.key(i, text));
      }
    }
    Map<CacheKey, CachedTranslation> found = cache.getAll(keys);
    Set<String> answered = new HashSet<>();
    for (BatchLines.Request r : lines) {
      String text = textByHash.get(r.hash());
      boolean all = true;
      for (int i = r.firstCandidate(); i < r.firstCandidate() + r.candidates(); i++) {
        all &= found.containsKey(keyspace.key(i, text)) || found.containsKey(truncated.key(i, text));
      }
      if (all) {
        answered.add(r.customId());
      }
    }
    return answered;
  }

  /** What a line can cost at most: its prompt in, max-tokens (or twice the prompt) per choice. */
  static long[] maxTokens(BackendSpec backend, BatchLines.Request r) {
    long in = OpenAiCompatibleClient.estimateTokens(r.prompt());
    int maxTokens = backend.config().maxTokens();
    long out = (maxTokens > 0 ? maxTokens : 2 * in) * (long) r.candidates();
    return new long[] {in, out};
  }

  private static void submit(
      BackendSpec backend,
      List<BatchLines.Request> toSend,
      Path dir,
      BatchState state,
      Transport transport,
      SpendingLimit.Ledger ledger,
      SpendingLimit spending,
      PrintStream log) {
    BatchSettings settings = backend.batch();
    List<List<BatchLines.Request>> files = new ArrayList<>();
    List<BatchLines.Request> current = new ArrayList<>();
    long bytes = 0;
    for (BatchLines.Request r : toSend) {
      long size = r.line().getBytes(StandardCharsets.UTF_8).length + 1L;
      if (!current.isEmpty() && (current.size() >= settings.lines() || bytes + size > settings.bytes())) {
        files.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(r);
      bytes += size;
    }
    if (!current.isEmpty()) {
      files.add(current);
    }
    for (List<BatchLines.Request> lines : files) {
      long in = 0;
      long outTokens = 0;
      for (BatchLines.Request r : lines) {
        long[] t = maxTokens(backend, r);
        in += t[0];
        outTokens += t[1];
      }
      double maxCost = settings.costUsd(in, outTokens);
      if (ledger != null) {
        String refusal = refusal(spending, ledger, maxCost, in + outTokens);
        SpendingLimit.Reservation reservation =
            refusal == null ? ledger.tryReserve(maxCost, in + outTokens) : null;
        if (reservation == null) {
          String reason = "backend " + backend.name() + ": "
              + (refusal != null ? refusal : ledger.exhaustion()) + "; batch of " + lines.size()
              + " lines not submitted";
          for (BatchLines.Request r : lines) {
            state.givenUp.put(r.customId(), reason);
          }
          state.add("given_up", lines.size());
          state.save();
          continue;
        }
        // A submitted batch is counted at its most, now: it can no longer be taken back.
        reservation.settle(maxCost, in + outTokens);
      }
      BatchState.Batch b = new BatchState.Batch();
      b.file = String.format(Locale.ROOT, "requests-%04d.jsonl", state.batches.size() + 1);
      b.lines = lines.size();
      b.maxCostUsd = maxCost;
      StringBuilder content = new StringBuilder();
      for (BatchLines.Request r : lines) {
        content.append(r.line()).append('\n');
        int before = state.attempts.getOrDefault(r.customId(), 0);
        if (before > 0) {
          state.add("resubmitted", 1);
        }
        state.attempts.put(r.customId(), before + 1);
      }
      try {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(b.file), content, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot write a batch request file in " + dir, e);
      }
      state.batches.add(b);
      state.add("batches", 1);
      state.add("submitted", lines.size());
      state.maxCostUsd += maxCost;
      state.save();
      transport.submit(b, dir.resolve(b.file), state::save);
      state.save();
      log.printf(Locale.ROOT, "tarjama translate: backend %s: submitted %s (%d lines, %s, at most "
          + "%.4f USD)%n", backend.name(), b.file, b.lines, b.id, maxCost);
    }
  }

  /** Why a batch of this maximum cost may not be submitted under the limit; null if it may. */
  private static String refusal(
      SpendingLimit spending, SpendingLimit.Ledger ledger, double maxCost, long tokens) {
    double usd = ledger.carriedUsd() + ledger.spentUsd();
    long used = ledger.carriedTokens() + ledger.spentTokens();
    if (spending.maxCostUsd() > 0 && usd + maxCost > spending.maxCostUsd()) {
      return String.format(Locale.ROOT, "budget exhausted (--max-cost=%s: %.4f USD spent, a "
          + "batch can cost up to %.4f USD)", spending.maxCostUsd(), usd, maxCost);
    }
    if (spending.maxTokens() > 0 && used + tokens > spending.maxTokens()) {
      return String.format(Locale.ROOT, "budget exhausted (--max-tokens=%d: %d tokens spent, a "
          + "batch can use up to %d)", spending.maxTokens(), used, tokens);
    }
    return null;
  }

  private static List<String> requestIds(Path file) {
    List<String> ids = new ArrayList<>();
    for (String line : readLines(file)) {
      ids.add(BatchLines.parse(line).customId());
    }
    return ids;
  }

  static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8).stream()
          .filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** The request lines of a batch's file, rebuilt from the file (the prompt from the body). */
  private static List<BatchLines.Request> requests(Path file) {
    List<BatchLines.Request> requests = new ArrayList<>();
    for (String line : readLines(file)) {
      com.fasterxml.jackson.databind.JsonNode root;
      try {
        root = BatchLines.JSON.readTree(line);
      } catch (IOException e) {
        throw new UncheckedIOException("a request line of " + file + " is not JSON", e);
      }
      String id = root.path("custom_id").asText();
      String[] parts = id.split("-");
      int first = Integer.parseInt(parts[1]);
      int candidates = parts.length > 2 ? Integer.parseInt(parts[2]) : 1;
      com.fasterxml.jackson.databind.JsonNode body = root.path("body");
      String prompt = body.has("messages")
          ? body.path("messages").get(body.path("messages").size() - 1).path("content").asText()
          : body.path("prompt").asText();
      requests.add(new BatchLines.Request(id, parts[0], first, candidates, prompt, line));
    }
    return requests;
  }

  private static void collect(
      BackendSpec backend,
      BatchState.Batch b,
      Path dir,
      BatchState state,
      TranslationCache cache,
      CacheKeyspace keyspace,
      CacheKeyspace truncated,
      Transport transport,
      Map<String, String> textByHash,
      Set<String> answered,
      PrintStream log) {
    List<BatchLines.Request> submitted = requests(dir.resolve(b.file));
    Reconciliation.Result result = Reconciliation.reconcile(submitted,
        backend.config().endpoint(), transport.output(b), transport.errors(b), b.status,
        transport.batchError(b));
    Map<CacheKey, CachedTranslation> entries = new LinkedHashMap<>();
    for (Reconciliation.Line line : result.lines()) {
      BatchLines.Request r = line.request();
      switch (line.outcome()) {
        case COMPLETED -> {
          Completion c = line.completion();
          String text = textByHash.get(r.hash());
          if (text == null) {
            // A line of an earlier launch whose text this run no longer needs: nothing to key.
            state.add("completed", 1);
            break;
          }
          if (r.candidates() == backend.k() && r.firstCandidate() == 0) {
            entries.putAll(BackendCaching.entries(keyspace, truncated, text, r.candidates(), c));
          } else {
            // One seeded line: candidate i alone, with that call's usage.
            entries.put(
                (CompletionCandidates.isTruncated(c, 0) ? truncated : keyspace)
                    .key(r.firstCandidate(), text),
                new CachedTranslation(
                    CompletionCandidates.keepEdgeWhitespace(text, c.texts().get(0)),
                    c.promptTokens(), c.completionTokens()));
          }
          answered.add(r.customId());
          state.add("completed", 1);
          state.add("tokens_in", c.promptTokens());
          state.add("tokens_out", c.completionTokens());
        }
        case CONFLICT -> state.add("conflicting", 1);
        case EXPIRED -> state.add("expired", 1);
        case FAILED -> state.add("failed", 1);
        case MISSING -> state.add("missing", 1);
        default -> throw new IllegalStateException(line.outcome().name());
      }
      if (line.outcome() != Reconciliation.Outcome.COMPLETED) {
        int attempts = state.attempts.getOrDefault(r.customId(), 1);
        if (attempts > backend.batch().retries()) {
          state.givenUp.put(r.customId(), "backend " + backend.name() + ": batch line "
              + line.outcome().name().toLowerCase(Locale.ROOT) + " after " + attempts
              + " submission(s): " + line.reason());
          state.add("given_up", 1);
        }
      }
    }
    // The answers reach the cache before the batch counts as collected: a launcher killed in
    // between reads the files again (free), never submits them again.
    cache.putAll(entries);
    b.collected = true;
    state.save();
    log.printf(Locale.ROOT, "tarjama translate: backend %s: collected %s (%s): %d completed, %d "
        + "failed, %d expired, %d missing, %d conflicting%n", backend.name(), b.id, b.status,
        result.count(Reconciliation.Outcome.COMPLETED), result.count(Reconciliation.Outcome.FAILED),
        result.count(Reconciliation.Outcome.EXPIRED), result.count(Reconciliation.Outcome.MISSING),
        result.count(Reconciliation.Outcome.CONFLICT));
  }
}
