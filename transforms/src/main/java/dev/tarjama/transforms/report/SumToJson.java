package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import java.util.TreeMap;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.values.KV;

/**
 * Sums values per name into one JSON object, sorted by name ({@code {}} when there were none):
 * the shape of the summaries a pipeline writes under {@code _summary/} for its report (the run's
 * statistics, the judge's and the bilingual emitter's counts, the threshold sweep's counts).
 */
public abstract class SumToJson<InputT, V extends Number>
    extends Combine.CombineFn<InputT, TreeMap<String, V>, String> {
  /** Counts events by name: each input is one occurrence of its name. */
  public static Combine.CombineFn<String, TreeMap<String, Long>, String> countingEvents() {
    return new Events();
  }

  /** Sums integer values per name. */
  public static Combine.CombineFn<KV<String, Long>, TreeMap<String, Long>, String> ofLongs() {
    return new Longs();
  }

  /** Sums real values per name (in the runner's order: the last digits may differ per run). */
  public static Combine.CombineFn<KV<String, Double>, TreeMap<String, Double>, String> ofDoubles() {
    return new Doubles();
  }

  abstract String name(InputT input);

  abstract V value(InputT input);

  @Override
  public TreeMap<String, V> createAccumulator() {
    return new TreeMap<>();
  }

  @Override
  public TreeMap<String, V> addInput(TreeMap<String, V> acc, InputT input) {
    acc.merge(name(input), value(input), SumToJson::plus);
    return acc;
  }

  @Override
  public TreeMap<String, V> mergeAccumulators(Iterable<TreeMap<String, V>> accs) {
    TreeMap<String, V> merged = new TreeMap<>();
    for (TreeMap<String, V> acc : accs) {
      acc.forEach((k, v) -> merged.merge(k, v, SumToJson::plus));
    }
    return merged;
  }

  @Override
  public String extractOutput(TreeMap<String, V> acc) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    acc.forEach((k, v) -> {
      if (v instanceof Long l) {
        node.put(k, l);
      } else {
        node.put(k, (Double) v);
      }
    });
    return node.toString();
  }

  /** Integers sum as integers, reals as reals (a sum never mixes the two). */
  @SuppressWarnings("unchecked")
  private static <V extends Number> V plus(V a, V b) {
    return a instanceof Long x
        ? (V) Long.valueOf(x + (Long) b)
        : (V) Double.valueOf((Double) a + (Double) b);
  }

  private static final class Events extends SumToJson<String, Long> {
    @Override
    String name(String event) {
      return event;
    }

    @Override
    Long value(String event) {
      return 1L;
    }
  }

  /** One value per name, as a key and value. */
  private abstract static class PerName<V extends Number> extends SumToJson<KV<String, V>, V> {
    @Override
    String name(KV<String, V> kv) {
      return kv.getKey();
    }

    @Override
    V value(KV<String, V> kv) {
      return kv.getValue();
    }
  }

  private static final class Longs extends PerName<Long> {}

  private static final class Doubles extends PerName<Double> {}
}
