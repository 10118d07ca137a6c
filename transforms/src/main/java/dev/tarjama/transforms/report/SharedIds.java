package dev.tarjama.transforms.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tarjama.transforms.io.RecordJson;
import dev.tarjama.transforms.domain.SourceRecord;
import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.beam.sdk.coders.DoubleCoder;
import org.apache.beam.sdk.coders.KvCoder;
import org.apache.beam.sdk.coders.StringUtf8Coder;
import org.apache.beam.sdk.transforms.Count;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.Filter;
import org.apache.beam.sdk.transforms.Flatten;
import org.apache.beam.sdk.transforms.MapElements;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Top;
import org.apache.beam.sdk.values.KV;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionList;
import org.apache.beam.sdk.values.TypeDescriptors;

/**
 * The records' own ids ({@code --id-field}) that several records share, for the report: each such
 * record is still a record of its own (its key adds where it came from, see {@link
 * dev.tarjama.transforms.domain.RecordKey}), but a user who meant the ids to be unique should know.
 *
 * <p>Input: the records read. Output: {@link SummarizeRun} events: {@value #COUNT} (ids shared by
 * two records or more), {@value #RECORDS} (the records that carry them) and, for the {@value
 * #EXAMPLES} smallest such ids, {@code shared_id\tID\trecords}. {@link #json} and {@link
 * #markdown} turn them into the report's {@code duplicate_ids} section.
 */
public final class SharedIds
    extends PTransform<PCollection<SourceRecord>, PCollection<KV<String, Double>>> {
  public static final String COUNT = "duplicate_ids";
  public static final String RECORDS = "duplicate_id_records";
  static final String GROUP = "shared_id";
  static final int EXAMPLES = 5;

  static SharedIds create() {
    return new SharedIds();
  }

  @Override
  public PCollection<KV<String, Double>> expand(PCollection<SourceRecord> records) {
    KvCoder<String, Double> coder = KvCoder.of(StringUtf8Coder.of(), DoubleCoder.of());
    PCollection<KV<String, Long>> shared =
        records
            .apply("OwnIds", ParDo.of(new OwnIdFn()))
            .setCoder(StringUtf8Coder.of())
            .apply("RecordsPerId", Count.perElement())
            .apply("SharedOnly", Filter.by(kv -> kv.getValue() > 1));
    PCollection<KV<String, Double>> totals =
        shared
            .apply("SharedIdTotals", ParDo.of(new TotalsFn()))
            .setCoder(coder);
    PCollection<KV<String, Double>> examples =
        shared
            .apply("FirstSharedIds", Top.of(EXAMPLES, new ById()).withoutDefaults())
            .apply("ExampleEvents", ParDo.of(new ExamplesFn()))
            .setCoder(coder);
    return PCollectionList.of(totals).and(examples).apply("SharedIdEvents", Flatten.pCollections());
  }

  private static final class OwnIdFn extends DoFn<SourceRecord, String> {
    @ProcessElement
    public void process(@Element SourceRecord r, OutputReceiver<String> out) {
      if (r.key().hasUserId()) {
        out.output(r.key().userId());
      }
    }
  }

  private static final class TotalsFn extends DoFn<KV<String, Long>, KV<String, Double>> {
    @ProcessElement
    public void process(@Element KV<String, Long> id, OutputReceiver<KV<String, Double>> out) {
      out.output(KV.of(COUNT, 1.0));
      out.output(KV.of(RECORDS, (double) id.getValue()));
    }
  }

  private static final class ExamplesFn extends DoFn<List<KV<String, Long>>, KV<String, Double>> {
    @ProcessElement
    public void process(
        @Element List<KV<String, Long>> ids, OutputReceiver<KV<String, Double>> out) {
      for (KV<String, Long> id : ids) {
        // A tab separates the parts of a statistic's name.
        out.output(KV.of(RunStatistics.key(GROUP, id.getKey().replace('\t', ' '), "records"),
            (double) id.getValue()));
      }
    }
  }

  /** Top keeps the greatest: the reversed id order makes the examples the smallest ids. */
  private static final class ById implements Comparator<KV<String, Long>>, Serializable {
    @Override
    public int compare(KV<String, Long> a, KV<String, Long> b) {
      return b.getKey().compareTo(a.getKey());
    }
  }

  /** The report's {@code duplicate_ids}: {@code count}, {@code records}, {@code examples}. */
  public static ObjectNode json(RunStatistics stats) {
    ObjectNode node = RecordJson.MAPPER.createObjectNode();
    node.put("count", (long) stats.get(COUNT));
    node.put("records", (long) stats.get(RECORDS));
    ArrayNode examples = node.putArray("examples");
    for (String id : stats.names(GROUP)) {
      examples.addObject().put("id", id).put("records", (long) stats.get(GROUP, id, "records"));
    }
    return node;
  }

  /** The report.md section of {@link #json}'s result. */
  public static String markdown(JsonNode shared) {
    StringBuilder md = new StringBuilder("\n## Shared ids\n\n");
    if (shared.get("count").asLong() == 0) {
      return md.append("Every record has an id of its own.\n").toString();
    }
    md.append(String.format(Locale.ROOT,
        "%d ids are shared by %d records. Each record is translated and written on its own "
            + "(its `record_id` adds where it came from: `file:line[id]`); the id itself is kept"
            + " as given. Examples: ",
        shared.get("count").asLong(), shared.get("records").asLong()));
    for (JsonNode example : shared.get("examples")) {
      md.append('`').append(example.get("id").asText()).append("` (")
          .append(example.get("records").asLong()).append(" records) ");
    }
    return md.append('\n').toString();
  }
}
