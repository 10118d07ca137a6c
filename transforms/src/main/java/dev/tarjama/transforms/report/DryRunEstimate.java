package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.models.tokenize.TokenCounter;
import dev.tarjama.models.tokenize.TokenCounters;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.select.Selection;
import dev.tarjama.transforms.backend.BackendSpec;
import java.util.List;

/**
 * The report of {@code tarjama translate --dry-run}: from the run's summary (records, chunks and
 * their tokens, duplicates; nothing was translated), per backend the calls, the tokens in and the
 * estimated tokens out and cost, the total, and what deduplication would save.
 */
public final class DryRunEstimate {
  /**
   * What the estimate was asked for: {@code --input}, {@code --tokenizer} (null: the byte
   * estimate), {@code --dedupe}, {@code --output-token-ratio} and the source selection.
   */
  public record Settings(
      String input, String tokenizer, boolean dedupe, double outputTokenRatio,
      Selection selection) {}

  private DryRunEstimate() {}

  /** report.json of a dry run. */
  public static ObjectNode json(
      Settings settings, List<BackendSpec> backends, RunStatistics stats, double wall) {
    ObjectNode root = RecordJson.MAPPER.createObjectNode();
    root.put("command", "translate --dry-run");
    root.put("input", settings.input());
    long read = (long) stats.get(RunStatistics.READ);
    long unreadable = (long) stats.get(RunStatistics.READ_FAILED);
    long dead = (long) stats.get(RunStatistics.DEAD_LETTER);
    long chunks = (long) stats.get(RunStatistics.CHUNKS);
    long tokens = (long) stats.get(RunStatistics.CHUNK_TOKENS);
    Selection selection = settings.selection();
    long notSelected = (long) stats.get(RunStatistics.NOT_SELECTED);
    long duplicates = (long) stats.get(RunStatistics.DUPLICATE_CHUNKS);
    long duplicateTokens = (long) stats.get(RunStatistics.DUPLICATE_CHUNK_TOKENS);
    ObjectNode counts = root.putObject("counts");
    counts.put("input", read + unreadable);
    counts.put("translatable", read + unreadable - dead - notSelected);
    counts.put("dead_letter", dead);
    if (selection.isActive()) {
      counts.put("not_selected", notSelected);
      root.set("selection", RunReport.selectionJson(selection, stats));
    }
    counts.put("chunks", chunks);
    counts.put("chunk_tokens", tokens);
    if (settings.dedupe()) {
      // Identical chunks are sent once: the estimates below count what is sent.
      counts.put("duplicate_chunks", duplicates);
      counts.put("duplicate_share", chunks == 0 ? 0.0 : (double) duplicates / chunks);
      counts.put("duplicate_chunk_tokens", duplicateTokens);
      counts.put("duplicate_token_share", tokens == 0 ? 0.0 : (double) duplicateTokens / tokens);
    }
    root.put(
        "tokenizer",
        settings.tokenizer() == null ? "estimate: UTF-8 bytes / 4" : settings.tokenizer());
    ObjectNode splits = root.putObject("splits");
    for (String split : stats.names("split")) {
      ObjectNode s = splits.putObject(split);
      s.put("chunks", (long) stats.get("split", split, "chunks"));
      s.put("chunk_tokens", (long) stats.get("split", split, "chunk_tokens"));
    }
    TokenCounter counter =
        settings.tokenizer() == null
            ? TokenCounters.approximate()
            : TokenCounters.acquire(settings.tokenizer());
    ObjectNode perBackend = root.putObject("backends");
    double totalCost = 0;
    try {
      for (BackendSpec backend : backends) {
        // The prompt template wraps every chunk: its own tokens are paid once per call.
        int overhead = counter.count(backend.prompt().render(""));
        long sent = chunks - duplicates;
        long sentTokens = tokens - duplicateTokens;
        long calls = sent * backend.callsPerChunk();
        long tokensIn = (sentTokens + sent * (long) overhead) * backend.callsPerChunk();
        long tokensOut = Math.round(sentTokens * settings.outputTokenRatio() * backend.k());
        long savedIn = (duplicateTokens + duplicates * (long) overhead) * backend.callsPerChunk();
        long savedOut = Math.round(duplicateTokens * settings.outputTokenRatio() * backend.k());
        double liveCost = backend.costUsd(tokensIn, tokensOut);
        // A batch backend pays the batch price; the live price is shown beside it.
        double cost = backend.isBatch() ? backend.batch().costUsd(tokensIn, tokensOut) : liveCost;
        totalCost += cost;
        ObjectNode b = perBackend.putObject(backend.label());
        b.put("candidates_per_chunk", backend.k());
        b.put("calls", calls);
        b.put("tokens_in", tokensIn);
        b.put("tokens_out_estimate", tokensOut);
        b.put("cost_usd_estimate", cost);
        if (backend.isBatch()) {
          b.put("pricing", "batch");
          b.put("cost_usd_estimate_at_live_price", liveCost);
        }
        if (settings.dedupe()) {
          b.put("tokens_saved_by_dedupe_estimate", savedIn + savedOut);
        }
      }
    } finally {
      if (settings.tokenizer() != null) {
        TokenCounters.release(settings.tokenizer());
      }
    }
    root.put("cost_usd_estimate", totalCost);
    root.put("output_token_ratio", settings.outputTokenRatio());
    root.put("wall_time_s", Math.round(wall * 10) / 10.0);
    return root;
  }

  /** report.md of a dry run: the estimate as it is in report.json. */
  public static String markdown(JsonNode json) {
    return "# Tarjama dry run\n\n```json\n" + json.toPrettyString() + "\n```\n";
  }
}
