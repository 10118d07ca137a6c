package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.Candidate;
import dev.tarjama.transforms.quality.QualityPolicy;
import dev.tarjama.transforms.rank.RankedRecord;
import dev.tarjama.transforms.rank.RecordDecision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apache.beam.sdk.coders.ListCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.transforms.View;
import org.apache.beam.sdk.transforms.display.DisplayData;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PCollectionView;
import org.apache.beam.sdk.values.TupleTag;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * A small deterministic sample of records for the HTML report: the source beside every candidate,
 * which one won, and why the others lost (invalid, a failed gate, or a lower rank_score). The
 * records are the chosen and the rejected ones with the smallest stable hash of their record id,
 * so every runner picks the same ones whatever the bundling.
 *
 * <p>Input: a tuple of {@link #CANDIDATES} (the scored candidates), {@link #CHOSEN} and {@link
 * #REJECTED} (the ranking's records). Output: at most one JSON object {@code {"records": [{
 * "record_id", "split", "outcome": "chosen"|"rejected", "reason", "winner": {backend, candidate},
 * "source", "candidates": [{backend, candidate, valid, reason, gates, LR, SCR, rank_score,
 * reward, text}]}]}}, records sorted by hash, candidates by backend and index. Texts are cut at
 * {@link #MAX_TEXT} characters. Memory: the sample only (a side input of at most {@code chosen +
 * rejected} ids).
 */
public final class SampleRecords extends PTransform<PCollectionTuple, PCollection<String>> {
  public static final TupleTag<Candidate> CANDIDATES = new TupleTag<>() {};
  public static final TupleTag<RankedRecord> CHOSEN = new TupleTag<>() {};
  public static final TupleTag<RankedRecord> REJECTED = new TupleTag<>() {};
  /** Characters of a source or candidate text kept in the sample. */
  public static final int MAX_TEXT = 1500;

  private final int chosen;
  private final int rejected;
  private final QualityPolicy quality;

  private SampleRecords(int chosen, int rejected, QualityPolicy quality) {
    this.chosen = chosen;
    this.rejected = rejected;
    this.quality = Objects.requireNonNull(quality);
  }

  /** Up to {@code chosen} chosen and {@code rejected} rejected records, gates named by {@code quality}. */
  public static SampleRecords of(int chosen, int rejected, QualityPolicy quality) {
    if (chosen < 1 || rejected < 1) {
      throw new IllegalArgumentException("sample at least one chosen and one rejected record");
    }
    return new SampleRecords(chosen, rejected, quality);
  }

  @Override
  public void populateDisplayData(DisplayData.Builder builder) {
    super.populateDisplayData(builder);
    builder.add(DisplayData.item("chosen", chosen).withLabel("Chosen records sampled"));
    builder.add(DisplayData.item("rejected", rejected).withLabel("Rejected records sampled"));
  }

  @Override
  public PCollection<String> expand(PCollectionTuple input) {
    PCollection<List<String>> chosenIds = pick(input.get(CHOSEN), "Chosen", chosen);
    PCollection<List<String>> rejectedIds = pick(input.get(REJECTED), "Rejected", rejected);
    PCollectionView<List<List<String>>> picked =
        PCollectionList.of(chosenIds).and(rejectedIds)
            .apply("BothPicks", Flatten.pCollections())
            .apply("PickedView", View.asList());
    return input
        .get(CANDIDATES)
        .apply("SampledCandidates", ParDo.of(new Keep(picked, quality)).withSideInputs(picked))
        .setCoder(StringUtf8Coder.of())
        .apply("OneSample", Combine.globally(new ToJson()).withoutDefaults())
        .setCoder(StringUtf8Coder.of());
  }

  private static PCollection<List<String>> pick(
      PCollection<RankedRecord> records, String name, int n) {
    return records
        .apply(name + "Keys", MapElements.into(TypeDescriptors.strings()).via(SampleRecords::line))
        .apply(name + "Smallest", Top.smallest(n))
        .setCoder(ListCoder.of(StringUtf8Coder.of()));
  }

  /** {@code hash \t record id \t outcome \t reason-or-winner}: sorts by hash first. */
  static String line(RankedRecord r) {
    String outcome = r.chosen() ? "chosen" : "rejected";
    String detail = r.chosen()
        ? r.winner().backend() + "\u001f" + r.winner().candidate() : r.reason();
    return String.format(Locale.ROOT, "%016x", RecordDecision.tieHash(r.recordId(), "", 0))
        + "\t" + r.recordId() + "\t" + outcome + "\t" + detail;
  }

  private static final class Keep extends DoFn<Candidate, String> {
    private final PCollectionView<List<List<String>>> picked;
    private final QualityPolicy quality;

    Keep(PCollectionView<List<List<String>>> picked, QualityPolicy quality) {
      this.picked = picked;
      this.quality = quality;
    }

    /** The picked lines by record id, built once per side-input value (not per candidate). */
    private transient List<List<String>> indexed;
    private transient java.util.Map<String, List<String>> byRecord;

    @ProcessElement
    public void process(@Element Candidate c, ProcessContext context) {
      List<List<String>> lines = context.sideInput(picked);
      if (lines != indexed) {
        byRecord = new java.util.HashMap<>();
        for (List<String> pick : lines) {
          for (String line : pick) {
            byRecord.computeIfAbsent(line.split("\t", 4)[1], id -> new java.util.ArrayList<>())
                .add(line);
          }
        }
        indexed = lines;
      }
      for (String line : byRecord.getOrDefault(c.recordId(), List.of())) {
        context.output(line + "\t" + candidateJson(c, quality));
      }
    }
  }

  static String candidateJson(Candidate c, QualityPolicy quality) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("split", c.split());
    node.put("backend", c.backend());
    node.put("candidate", c.candidate());
    node.put("valid", c.valid());
    node.put("reason", c.reason());
    ArrayNode gates = node.putArray("gates");
    quality.gateFailures(c).forEach(gates::add);
    score(node, "LR", c.lr());
    score(node, "SCR", c.scr());
    score(node, "rank_score", c.rankScore());
    score(node, "reward", c.reward());
    node.put("source", cut(c.sourceText()));
    node.put("text", cut(c.targetText()));
    return node.toString();
  }

  private static void score(ObjectNode node, String name, double v) {
    if (Double.isFinite(v)) {
      node.put(name, v);
    } else {
      node.putNull(name);
    }
  }

  static String cut(String text) {
    if (text == null) {
      return "";
    }
    if (text.length() <= MAX_TEXT) {
      return text;
    }
    int end = MAX_TEXT;
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + " […]";
  }

  /** Folds the sampled candidate lines into the sample's JSON (sorted: the same on every runner). */
  private static final class ToJson extends Combine.CombineFn<String, List<String>, String> {
    @Override
    public List<String> createAccumulator() {
      return new ArrayList<>();
    }

    @Override
    public List<String> addInput(List<String> acc, String line) {
      acc.add(line);
      return acc;
    }

    @Override
    public List<String> mergeAccumulators(Iterable<List<String>> accs) {
      List<String> merged = new ArrayList<>();
      accs.forEach(merged::addAll);
      return merged;
    }

    @Override
    public String extractOutput(List<String> lines) {
      return toJson(lines);
    }
  }

  static String toJson(List<String> lines) {
    // record line -> (backend, index) -> candidate
    TreeMap<String, TreeMap<String, JsonNode>> byRecord = new TreeMap<>();
    for (String line : lines) {
      int cut = line.lastIndexOf('\t');
      JsonNode c;
      try {
        c = RecordJson.MAPPER.readTree(line.substring(cut + 1));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String order = String.format(Locale.ROOT, "%s\u001f%09d",
          c.path("backend").asText(), c.path("candidate").asInt());
      byRecord.computeIfAbsent(line.substring(0, cut), k -> new TreeMap<>()).put(order, c);
    }
    ObjectNode root = RecordJson.MAPPER.createObjectNode();
    ArrayNode records = root.putArray("records");
    Map<String, Boolean> seen = new HashMap<>();
    for (Map.Entry<String, TreeMap<String, JsonNode>> e : byRecord.entrySet()) {
      String[] parts = e.getKey().split("\t", 4);
      if (seen.put(parts[1], true) != null) {
        continue;
      }
      ObjectNode r = records.addObject();
      r.put("record_id", parts[1]);
      r.put("outcome", parts[2]);
      JsonNode first = e.getValue().firstEntry().getValue();
      r.put("split", first.path("split").asText());
      r.put("source", first.path("source").asText());
      if (parts[2].equals("chosen")) {
        String[] winner = parts[3].split("\u001f", 2);
        ObjectNode w = r.putObject("winner");
        w.put("backend", winner[0]);
        w.put("candidate", Integer.parseInt(winner[1]));
        r.put("reason", "");
      } else {
        r.put("reason", parts[3]);
      }
      ArrayNode candidates = r.putArray("candidates");
      for (JsonNode c : e.getValue().values()) {
        ObjectNode copy = ((ObjectNode) c).deepCopy();
        copy.remove("source");
        copy.remove("split");
        candidates.add(copy);
      }
    }
    return root.toString();
  }
}
