package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tarjama.transforms.io.JsonPointers;
import dev.tarjama.transforms.io.RecordJson;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The statistics {@link SummarizeRun} writes, read back: names are {@code group\tname\tfield}
 * (a tab cannot occur in a split or backend name) or one of the run-wide counters.
 */
public final class RunStatistics {
  public static final String READ = "records_read";
  public static final String READ_FAILED = "records_unreadable";
  public static final String DEAD_LETTER = "dead_letter";
  /** Dead letters whose original could be kept only in part (it says so, with its length). */
  public static final String TRUNCATED_PAYLOADS = "dead_letter_truncated_payloads";
  /** Records that source selection left out (not dead letters). */
  public static final String NOT_SELECTED = "not_selected";
  public static final String CHUNKS = "chunks";
  public static final String CHUNK_TOKENS = "chunk_tokens";
  /** Chunks not sent because an identical chunk was, and their tokens (chunk tokens). */
  public static final String DUPLICATE_CHUNKS = "duplicate_chunks";
  public static final String DUPLICATE_CHUNK_TOKENS = "duplicate_chunk_tokens";

  private final Map<String, Double> values;

  private RunStatistics(Map<String, Double> values) {
    this.values = values;
  }

  public static String key(String group, String name, String field) {
    return group + "\t" + name + "\t" + field;
  }

  public static RunStatistics parse(String json) throws IOException {
    Map<String, Double> values = new TreeMap<>();
    JsonNode node = RecordJson.MAPPER.readTree(json);
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      values.put(e.getKey(), e.getValue().asDouble());
    }
    return new RunStatistics(values);
  }

  public static RunStatistics empty() {
    return new RunStatistics(new TreeMap<>());
  }

  public double get(String name) {
    return values.getOrDefault(name, 0.0);
  }

  public double get(String group, String name, String field) {
    return get(key(group, name, field));
  }

  /** Every name seen in {@code group} (splits, backends, dead-letter stages), sorted. */
  public TreeSet<String> names(String group) {
    TreeSet<String> names = new TreeSet<>();
    for (String k : values.keySet()) {
      String[] parts = k.split("\t", -1);
      if (parts.length == 3 && parts[0].equals(group)) {
        names.add(parts[1]);
      }
    }
    return names;
  }
}
