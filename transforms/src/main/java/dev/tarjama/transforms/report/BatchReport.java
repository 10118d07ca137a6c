package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.backend.BackendSpec;
import java.util.Locale;

/**
 * The {@code batches} section of a translate report with batch-API backends: per backend the
 * batch phase's counts (batches, submitted, completed, failed, expired, missing, conflicting,
 * resubmitted, given up) and the answers' cost at the batch and at the live prices.
 */
public final class BatchReport {
  private BatchReport() {}

  /** One backend's batch counts, with the answers' cost at the batch and at the live prices. */
  public static ObjectNode backend(BackendSpec b, ObjectNode counts, long texts) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("kind", b.kind().id());
    node.put("chunk_texts_needed_this_launch", texts);
    node.setAll(counts);
    long in = counts.path("tokens_in").asLong();
    long outTokens = counts.path("tokens_out").asLong();
    node.put("cost_usd", b.batch().costUsd(in, outTokens));
    node.put("cost_usd_at_live_price", b.costUsd(in, outTokens));
    node.put("batch_price_in", b.batch().priceIn());
    node.put("batch_price_out", b.batch().priceOut());
    return node;
  }

  /** report.md's section, from report.json's. */
  public static String markdown(JsonNode report) {
    StringBuilder md = new StringBuilder("\n## Batches\n\n| backend | batches | submitted | "
        + "completed | failed | expired | missing | conflicting | resubmitted | given up | "
        + "cost (batch) | cost at live price |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    report.fields().forEachRemaining(e -> {
      JsonNode n = e.getValue();
      md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %d | %d | %d | %d | %d | "
              + "%.4f USD | %.4f USD |%n", e.getKey(), n.path("batches").asLong(),
          n.path("submitted").asLong(), n.path("completed").asLong(), n.path("failed").asLong(),
          n.path("expired").asLong(), n.path("missing").asLong(), n.path("conflicting").asLong(),
          n.path("resubmitted").asLong(), n.path("given_up").asLong(),
          n.path("cost_usd").asDouble(), n.path("cost_usd_at_live_price").asDouble()));
    });
    return md.toString();
  }
}
