package dev.tarjama.transforms.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tarjama.transforms.domain.ModelCoders;
import dev.tarjama.transforms.domain.SourceRecord;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.beam.sdk.testing.PAssert;
import org.apache.beam.sdk.testing.TestPipeline;
import org.apache.beam.sdk.testing.TestPipelineExtension;
import org.apache.beam.sdk.transforms.Create;
import org.apache.beam.sdk.util.CoderUtils;
import org.apache.beam.sdk.values.PCollection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code --limit}'s order: files by name, then index, whatever order the records arrive in; the
 * typed key orders as the string key it replaced ({@code file \0 zero-padded index}) did.
 */
@ExtendWith(TestPipelineExtension.class)
class LimitRecordsTest {
  private static SourceRecord record(String file, long index) {
    return new SourceRecord(file + ":" + (index + 1), file, index, "{}");
  }

  @Test
  void keysOrderAsTheFormerStringKeysDid() throws Exception {
    List<SourceRecord> records = new ArrayList<>();
    for (String file : List.of("b.jsonl", "a.jsonl", "a.jsonl.gz", "a", "ab", "B", "é")) {
      for (long index : List.of(10L, 9L, 0L, 100L, 1L, 99L)) {
        records.add(record(file, index));
      }
    }
    List<SourceRecord> byKey = new ArrayList<>(records);
    byKey.sort(Comparator.comparing(LimitRecords::orderKey));
    List<SourceRecord> byString = new ArrayList<>(records);
    byString.sort(Comparator.comparing((SourceRecord r) -> r.file() + "\u0000" + String.format("%019d", r.index())));
    assertEquals(byString, byKey);

    LimitRecords.OrderKeyCoder coder = new LimitRecords.OrderKeyCoder();
    LimitRecords.OrderKey key = LimitRecords.orderKey(record("a.jsonl", 7));
    assertEquals(key, CoderUtils.clone(coder, key));
    coder.verifyDeterministic();
  }

  @Test
  void keepsTheFirstRecordsAsTheInputReads(TestPipeline p) {
    List<SourceRecord> records =
        List.of(record("b", 0), record("a", 2), record("a", 10), record("a", 1), record("c", 0));
    PCollection<SourceRecord> first =
        p.apply(Create.of(records).withCoder(new ModelCoders.SourceRecordCoder()))
            .apply(LimitRecords.first(3));
    PAssert.that(first).containsInAnyOrder(record("a", 1), record("a", 2), record("a", 10));
    p.run().waitUntilFinish();
  }
}
