package dev.tarjama.transforms.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one batch backend has submitted and collected, in {@code DIR/state.json} (under {@code
 * OUT/_batches/NAME/}), beside the request files themselves ({@code requests-NNNN.jsonl}): per
 * batch its request file, input file id, batch id, last status, output and error file ids,
 * whether it was collected; per {@code custom_id} how often it was submitted and, once given up
 * on, why; and the counts the report shows. Written whole to a temporary file and moved over the
 * old one after every step, so that a launcher killed at any point leaves a readable state that
 * says which batches exist (and are paid for) and which were collected.
 */
final class BatchState {
  static final String FILE = "state.json";

  /** The count names, in report order. */
  static final List<String> COUNTS =
      List.of("batches", "submitted", "completed", "failed", "expired", "missing", "conflicting",
          "resubmitted", "given_up", "tokens_in", "tokens_out");

  /** One batch: mutable, saved with the state. */
  static final class Batch {
    String file;
    String inputFileId = "";
    String id = "";
    String status = "";
    String outputFileId = "";
    String errorFileId = "";
    int lines;
    double maxCostUsd;
    boolean collected;
  }

  final Path dir;
  final List<Batch> batches = new ArrayList<>();
  final Map<String, Integer> attempts = new LinkedHashMap<>();
  final Map<String, String> givenUp = new LinkedHashMap<>();
  final Map<String, Long> counts = new LinkedHashMap<>();
  double maxCostUsd;

  private BatchState(Path dir) {
    this.dir = dir;
    for (String c : COUNTS) {
      counts.put(c, 0L);
    }
  }

  /** The state in {@code dir}, or an empty one when there is none yet. */
  static BatchState load(Path dir) {
    BatchState s = new BatchState(dir);
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return s;
    }
    JsonNode root;
    try {
      root = BatchLines.JSON.readTree(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the batch state " + file, e);
    }
    for (JsonNode b : root.path("batches")) {
      Batch batch = new Batch();
      batch.file = b.path("file").asText();
      batch.inputFileId = b.path("input_file_id").asText("");
      batch.id = b.path("id").asText("");
      batch.status = b.path("status").asText("");
      batch.outputFileId = b.path("output_file_id").asText("");
      batch.errorFileId = b.path("error_file_id").asText("");
      batch.lines = b.path("lines").asInt();
      batch.maxCostUsd = b.path("max_cost_usd").asDouble();
      batch.collected = b.path("collected").asBoolean();
      s.batches.add(batch);
    }
    root.path("attempts").fields().forEachRemaining(e -> s.attempts.put(e.getKey(),
        e.getValue().asInt()));
    root.path("given_up").fields().forEachRemaining(e -> s.givenUp.put(e.getKey(),
        e.getValue().asText()));
    root.path("counts").fields().forEachRemaining(e -> s.counts.put(e.getKey(),
        e.getValue().asLong()));
    s.maxCostUsd = root.path("max_cost_usd").asDouble();
    return s;
  }

  /** Whether a batch was submitted and not yet collected. */
  boolean hasUncollected() {
    return batches.stream().anyMatch(b -> !b.collected);
  }

  void add(String count, long value) {
    counts.merge(count, value, Long::sum);
  }

  ObjectNode countsJson() {
    ObjectNode node = BatchLines.JSON.createObjectNode();
    counts.forEach(node::put);
    node.put("max_cost_usd", maxCostUsd);
    return node;
  }

  void save() {
    ObjectNode root = BatchLines.JSON.createObjectNode();
    root.put("version", 1);
    ArrayNode list = root.putArray("batches");
    for (Batch b : batches) {
      ObjectNode n = list.addObject();
      n.put("file", b.file);
      n.put("input_file_id", b.inputFileId);
      n.put("id", b.id);
      n.put("status", b.status);
      n.put("output_file_id", b.outputFileId);
      n.put("error_file_id", b.errorFileId);
      n.put("lines", b.lines);
      n.put("max_cost_usd", b.maxCostUsd);
      n.put("collected", b.collected);
    }
    ObjectNode a = root.putObject("attempts");
    attempts.forEach(a::put);
    ObjectNode g = root.putObject("given_up");
    givenUp.forEach(g::put);
    root.set("counts", countsJson());
    root.put("max_cost_usd", maxCostUsd);
    try {
      Files.createDirectories(dir);
      Path tmp = dir.resolve(FILE + ".tmp");
      Files.writeString(tmp, root.toPrettyString() + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, dir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the batch state in " + dir, e);
    }
  }
}
