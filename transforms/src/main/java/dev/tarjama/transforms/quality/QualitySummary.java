package dev.tarjama.transforms.quality;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.rank.RecordDecision;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.Coder;
import org.apache.beam.sdk.coders.CoderRegistry;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.MapCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Sum;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The quality section's figures, computed in the pipeline: per backend and split, the valid
 * candidates measured, those failing at least one gate, and those failing each gate; and per
 * gate up to {@value #EXAMPLES} examples (record, backend, candidate, split, what was seen and
 * the start of the translation, at most {@value #EXCERPT} characters), the same
 * ones on every runner (the smallest by the tie hash of record, backend and candidate).
 *
 * <p>Input: the scored candidates. Output: one JSON object {@code {"counts": {backend: {split:
 * {"measured": n, "gated": n, "failed": {gate: n}}}}, "examples": {gate: [{record_id, backend,
 * candidate, split, detail, excerpt}]}}} (none when there are no candidates).
 */
public final class QualitySummary extends PTransform<PCollection<Candidate>, PCollection<String>> {
  static final int EXAMPLES = 3;
  static final int EXCERPT = 100;
  private static final String MEASURED = "\u0000measured";
  private static final String GATED = "\u0000gated";

  private final QualityPolicy policy;

  private QualitySummary(QualityPolicy policy) {
    this.policy = Objects.requireNonNull(policy);
  }

  public static QualitySummary under(QualityPolicy policy) {
    return new QualitySummary(policy);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("policy", EstimateQuality.policyText(policy))
        .withLabel("Quality gates (--policy entries)"));
  }

  @Override
  public PCollection<String> expand(PCollection<Candidate> candidates) {
    KvCoder<String, String> kv = KvCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    PCollection<KV<String, String>> counts =
        candidates
            .apply("CountEvents", ParDo.of(new CountEvents(policy)))
            .setCoder(KvCoder.of(StringUtf8Coder.of(), org.apache.beam.sdk.coders.DoubleCoder.of()))
            .apply("SumCounts", Sum.doublesPerKey())
            .apply("CountsAsText", MapElements.into(TypeDescriptors.kvs(TypeDescriptors.strings(),
                TypeDescriptors.strings())).via(c -> KV.of("c\t" + c.getKey(),
                    Long.toString(Math.round(c.getValue())))))
            .setCoder(kv);
    PCollection<KV<String, String>> examples =
        candidates
            .apply("ExampleEvents", ParDo.of(new ExampleEvents(policy)))
            .setCoder(kv)
            .apply("FewPerGate", Top.perKey(EXAMPLES, new ByRank()))
            .apply("ExamplesAsText", MapElements.into(TypeDescriptors.kvs(
                TypeDescriptors.strings(), TypeDescriptors.strings())).via(e -> {
                  List<String> sorted = new ArrayList<>(e.getValue());
                  sorted.sort(Comparator.naturalOrder());
                  return KV.of("e\t" + e.getKey(), String.join("\n", sorted));
                }))
            .setCoder(kv);
    return PCollectionList.of(counts).and(examples)
        .apply("AllQualityFigures", Flatten.pCollections())
        .apply("OneQualitySummary", Combine.globally(new ToJson()).withoutDefaults())
        .setCoder(StringUtf8Coder.of());
  }

  private static final class CountEvents extends DoFn<Candidate, KV<String, Double>> {
    private final QualityPolicy policy;

    CountEvents(QualityPolicy policy) {
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<String, Double>> out) {
      if (!c.valid() || c.quality().isEmpty()) {
        return;
      }
      String prefix = c.backend() + "\t" + c.split() + "\t";
      out.output(KV.of(prefix + MEASURED, 1.0));
      List<String> failures = policy.gateFailures(c);
      if (!failures.isEmpty()) {
        out.output(KV.of(prefix + GATED, 1.0));
      }
      for (String f : failures) {
        out.output(KV.of(prefix + gateName(f), 1.0));
      }
    }
  }

  private static final class ExampleEvents extends DoFn<Candidate, KV<String, String>> {
    private final QualityPolicy policy;

    ExampleEvents(QualityPolicy policy) {
      this.policy = policy;
    }

    @ProcessElement
    public void process(@Element Candidate c, OutputReceiver<KV<String, String>> out) {
      if (!c.valid()) {
        return;
      }
      long hash = RecordDecision.tieHash(c.recordId(), c.backend(), c.candidate());
      for (String f : policy.gateFailures(c)) {
        String gate = gateName(f);
        ObjectNode e = RecordJson.MAPPER.createObjectNode();
        e.put("record_id", c.recordId());
        e.put("backend", c.backend());
        e.put("candidate", c.candidate());
        e.put("split", c.split());
        e.put("detail", c.quality().get(gate).detail());
        e.put("excerpt", excerpt(c.targetText()));
        out.output(KV.of(gate, String.format("%016x", hash ^ Long.MIN_VALUE) + "\t" + e));
      }
    }
  }

  /** The start of a candidate's prose on one line, for a person to see what failed. */
  static String excerpt(String text) {
    String line = text == null ? "" : text.strip().replaceAll("\\s+", " ");
    int end = line.offsetByCodePoints(0, Math.min(EXCERPT, line.codePointCount(0, line.length())));
    return end < line.length() ? line.substring(0, end) + "…" : line;
  }

  static String gateName(String failure) {
    int paren = failure.indexOf(" (");
    return paren < 0 ? failure : failure.substring(0, paren);
  }

  /** Smallest hash first: Top keeps the largest, so the order is reversed. */
  private static final class ByRank implements Comparator<String>, Serializable {
    @Override
    public int compare(String a, String b) {
      return b.compareTo(a);
    }
  }

  private static final class ToJson
      extends Combine.CombineFn<KV<String, String>, Map<String, String>, String> {
    @Override
    public Map<String, String> createAccumulator() {
      return new HashMap<>();
    }

    @Override
    public Map<String, String> addInput(Map<String, String> acc, KV<String, String> kv) {
      acc.put(kv.getKey(), kv.getValue());
      return acc;
    }

    @Override
    public Map<String, String> mergeAccumulators(Iterable<Map<String, String>> accs) {
      Map<String, String> merged = new HashMap<>();
      accs.forEach(merged::putAll);
      return merged;
    }

    @Override
    public Coder<Map<String, String>> getAccumulatorCoder(
        CoderRegistry registry, Coder<KV<String, String>> input) {
      return MapCoder.of(StringUtf8Coder.of(), StringUtf8Coder.of());
    }

    @Override
    public String extractOutput(Map<String, String> acc) {
      ObjectNode root = RecordJson.MAPPER.createObjectNode();
      ObjectNode counts = root.putObject("counts");
      ObjectNode examples = root.putObject("examples");
      for (Map.Entry<String, String> e : new TreeMap<>(acc).entrySet()) {
        String[] k = e.getKey().split("\t");
        if (k[0].equals("c")) {
          ObjectNode split = counts.with(k[1]).with(k[2]);
          long n = Long.parseLong(e.getValue());
          if (k[3].equals(MEASURED)) {
            split.put("measured", n);
          } else if (k[3].equals(GATED)) {
            split.put("gated", n);
          } else {
            split.with("failed").put(k[3], n);
          }
        } else {
          ArrayNode list = examples.putArray(k[1]);
          for (String line : e.getValue().split("\n")) {
            try {
              list.add(RecordJson.parse(line.substring(line.indexOf('\t') + 1)));
            } catch (IOException ex) {
              throw new IllegalStateException(ex);
            }
          }
        }
      }
      return root.toString();
    }
  }
}
